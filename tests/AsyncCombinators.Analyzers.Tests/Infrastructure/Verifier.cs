using System.Collections.Immutable;
using System.IO;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace AsyncCombinators.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs an analyzer and its code fix on C# source compiled against the running .NET runtime and the real
/// AsyncCombinators assembly (no reference packages are downloaded), so the fixed code must compile against the
/// library's actual API. Mark expected diagnostics in the source with <c>[|...|]</c>.
/// </summary>
public static class Verifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    /// <summary>Checks that the analyzer reports exactly the marked spans.</summary>
    public static Task VerifyAnalyzerAsync(string source) => new Test { TestCode = source }.RunAsync();

    /// <summary>Checks the marked diagnostics and that fixing them (one by one and all at once) gives <paramref name="fixedSource"/>.</summary>
    public static Task VerifyCodeFixAsync(string source, string fixedSource) => new Test { TestCode = source, FixedCode = fixedSource }.RunAsync();

    /// <summary>A test whose compilation references the runtime's assemblies and AsyncCombinators.</summary>
    public sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = TestReferences.None;
            TestState.AdditionalReferences.AddRange(TestReferences.Runtime);
        }
    }
}

/// <summary>The metadata references every test compilation gets.</summary>
public static class TestReferences
{
    /// <summary>No reference package: <see cref="ReferenceAssemblies"/> would otherwise resolve one from a feed.</summary>
    public static ReferenceAssemblies None { get; } = new("net10.0");

    /// <summary>The assemblies of the running runtime plus AsyncCombinators.</summary>
    public static ImmutableArray<MetadataReference> Runtime { get; } = CreateRuntimeReferences();

    private static ImmutableArray<MetadataReference> CreateRuntimeReferences()
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var references = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (string path in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator))
        {
            if (string.Equals(Path.GetDirectoryName(path), runtimeDirectory, StringComparison.Ordinal) && IsManagedAssembly(path))
            {
                references.Add(MetadataReference.CreateFromFile(path));
            }
        }

        references.Add(MetadataReference.CreateFromFile(typeof(Async).Assembly.Location));
        return references.ToImmutable();
    }

    private static bool IsManagedAssembly(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
        return reader.HasMetadata;
    }
}
