using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncCombinators.Analyzers;

/// <summary>
/// AC0001: <c>Task.WhenAny(collection)</c> inside a loop whose body removes from that collection, or assigns it anew
/// (the <c>ToList()</c> re-creation): the quadratic "as they complete" idiom that <c>Async.AsCompleted</c> replaces.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WhenAnyLoopAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.WhenAnyLoop);

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
        if (!invocation.TargetMethod.IsTaskMethod("WhenAny", task) || invocation.Arguments.Length != 1)
        {
            return;
        }

        IArgumentOperation argument = invocation.Arguments[0];
        ISymbol? collection = argument.ArgumentKind == ArgumentKind.Explicit ? argument.Value.ReferencedSymbol() : null;
        if (collection is null)
        {
            return;
        }

        ILoopOperation? loop = EnclosingLoop(invocation);
        if (loop is not null && RemovesFrom(loop.Body, collection))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.WhenAnyLoop, invocation.Syntax.GetLocation(), collection.Name));
        }
    }

    /// <summary>The innermost loop around the operation within the same method, lambda or local function.</summary>
    private static ILoopOperation? EnclosingLoop(IOperation operation)
    {
        for (IOperation? parent = operation.Parent; parent is not null; parent = parent.Parent)
        {
            switch (parent)
            {
                case ILoopOperation loop:
                    return loop;
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return null;
            }
        }

        return null;
    }

    /// <summary>Whether the loop body calls Remove (or a sibling) on the collection, or assigns it anew.</summary>
    private static bool RemovesFrom(IOperation body, ISymbol collection)
    {
        foreach (IOperation operation in body.Descendants())
        {
            switch (operation)
            {
                case IInvocationOperation { TargetMethod.Name: "Remove" or "RemoveAt" or "RemoveAll" or "RemoveWhere" or "ExceptWith" } removal
                    when removal.Instance.RefersTo(collection):
                    return true;
                case ISimpleAssignmentOperation assignment when assignment.Target.RefersTo(collection):
                    return true;
            }
        }

        return false;
    }
}
