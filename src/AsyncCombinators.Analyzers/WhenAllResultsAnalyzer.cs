using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncCombinators.Analyzers;

/// <summary>
/// AC0003: <c>await Task.WhenAll(a, b[, ...]);</c> over 2 to 5 typed tasks whose results are then read with
/// <c>a.Result</c> or <c>await a</c>: <c>var (x, y) = await Async.Gather(a, b);</c> says the same in one line.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WhenAllResultsAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.WhenAllResults);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            INamedTypeSymbol? task = start.Compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
            if (task is not null)
            {
                start.RegisterOperationAction(c => Analyze(c, task), OperationKind.Invocation);
            }
        });
    }

    private static void Analyze(OperationAnalysisContext context, INamedTypeSymbol task)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!invocation.TargetMethod.IsTaskMethod("WhenAll", task)
            || invocation.Syntax is not InvocationExpressionSyntax syntax
            || invocation.SemanticModel is not { } model)
        {
            return;
        }

        WhenAllResultsShape? shape = WhenAllResultsShape.TryMatch(syntax, model, context.CancellationToken);
        if (shape is not null)
        {
            string tasks = string.Join(", ", shape.Tasks.Select(t => t.Name));
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.WhenAllResults, syntax.GetLocation(), tasks));
        }
    }
}
