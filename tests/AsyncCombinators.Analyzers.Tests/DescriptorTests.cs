using System.IO;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncCombinators.Analyzers.Tests;

public class DescriptorTests
{
    private static readonly DiagnosticAnalyzer[] s_analyzers =
    {
        new WhenAnyLoopAnalyzer(), new WhenAnyTimeoutAnalyzer(), new WhenAllResultsAnalyzer(), new OperationTokenAnalyzer(), new SemaphoreThrottleAnalyzer(),
    };

    [Fact]
    public void SupportedDiagnostics_EveryRule_HasItsIdSeverityAndOneAnalyzer()
    {
        var descriptors = s_analyzers.SelectMany(a => a.SupportedDiagnostics).ToList();

        descriptors.Select(d => d.Id).Should().Equal("AC0001", "AC0002", "AC0003", "AC0004", "AC0005");
        descriptors.Take(4).Should().OnlyContain(d => d.DefaultSeverity == DiagnosticSeverity.Warning);
        descriptors[4].DefaultSeverity.Should().Be(DiagnosticSeverity.Info);
        descriptors.Should().OnlyContain(d => d.IsEnabledByDefault);
    }

    [Fact]
    public void HelpLinkUri_EveryRule_PointsToItsDocsPage()
    {
        foreach (DiagnosticDescriptor descriptor in s_analyzers.SelectMany(a => a.SupportedDiagnostics))
        {
            descriptor.HelpLinkUri.Should().Be($"docs/analyzers/{descriptor.Id}.md");
            string page = Path.Combine(AppContext.BaseDirectory, descriptor.HelpLinkUri);
            File.Exists(page).Should().BeTrue(page);
            File.ReadAllText(page).Should().StartWith($"# {descriptor.Id}: ").And.Contain("## How to suppress").And.Contain(descriptor.Id);
        }
    }
}
