using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncCombinators.Analyzers;

/// <summary>
/// AC0005: <c>Task.WhenAll(tasks)</c> over tasks made by lambdas that each await <c>semaphore.WaitAsync()</c> first:
/// every task is created up front and throttled by hand. The tasks are the argument itself (<c>items.Select(async
/// ...)</c>), or a local initialized with such an expression or filled with <c>tasks.Add(...)</c> in the same member.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SemaphoreThrottleAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.SemaphoreThrottle);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            INamedTypeSymbol? task = start.Compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
            INamedTypeSymbol? semaphore = start.Compilation.GetTypeByMetadataName("System.Threading.SemaphoreSlim");
            if (task is not null && semaphore is not null)
            {
                start.RegisterOperationAction(c => Analyze(c, task, semaphore), OperationKind.Invocation);
            }
        });
    }

    private static void Analyze(OperationAnalysisContext context, INamedTypeSymbol task, INamedTypeSymbol semaphore)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!invocation.TargetMethod.IsTaskMethod("WhenAll", task)
            || invocation.Syntax is not InvocationExpressionSyntax { ArgumentList.Arguments: { Count: 1 } arguments } syntax
            || invocation.SemanticModel is not { } model)
        {
            return;
        }

        foreach (ExpressionSyntax source in Sources(arguments[0].Expression, model, context.CancellationToken))
        {
            if (ThrottlingSemaphore(source, model, semaphore, context.CancellationToken) is { } throttle)
            {
                // On "Task.WhenAll" only: the call often spans the whole lambda.
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.SemaphoreThrottle, syntax.Expression.GetLocation(), throttle.ToString()));
                return;
            }
        }
    }

    /// <summary>The expressions that make the tasks: the argument, or a local's initializer and what is added to it.</summary>
    private static IEnumerable<ExpressionSyntax> Sources(ExpressionSyntax argument, SemanticModel model, CancellationToken cancellationToken)
    {
        if (argument is not IdentifierNameSyntax identifier)
        {
            yield return argument;
            yield break;
        }

        if (model.GetSymbolInfo(identifier, cancellationToken).Symbol is not ILocalSymbol local
            || local.DeclaringSyntaxReferences.Length != 1
            || local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax declarator)
        {
            yield break;
        }

        if (declarator.Initializer is { Value: { } initializer })
        {
            yield return initializer;
        }

        // tasks.Add(...) anywhere in the member that declares the local.
        SyntaxNode? body = declarator.FirstAncestorOrSelf<SyntaxNode>(n => n is MemberDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax);
        if (body is null)
        {
            yield break;
        }

        foreach (SyntaxNode node in body.DescendantNodes())
        {
            if (node is InvocationExpressionSyntax
                {
                    Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Add", Expression: IdentifierNameSyntax target },
                    ArgumentList.Arguments: { Count: 1 } added,
                }
                && target.Identifier.ValueText == local.Name)
            {
                yield return added[0].Expression;
            }
        }
    }

    /// <summary>The semaphore a lambda in <paramref name="source"/> awaits with <c>WaitAsync</c>, else null.</summary>
    private static ExpressionSyntax? ThrottlingSemaphore(ExpressionSyntax source, SemanticModel model, INamedTypeSymbol semaphore, CancellationToken cancellationToken)
    {
        foreach (SyntaxNode node in source.DescendantNodesAndSelf())
        {
            if (node is not AnonymousFunctionExpressionSyntax lambda)
            {
                continue;
            }

            // Throttling waits on the semaphore before the work: a semaphore taken after another await (a lock
            // around storing a result, say) lets every task's work run at once, so maxConcurrency would not replace it.
            // Nested lambdas are looked at on their own.
            SyntaxNode? first = lambda.Body.DescendantNodesAndSelf(n => n is not AnonymousFunctionExpressionSyntax and not LocalFunctionStatementSyntax)
                .FirstOrDefault(n => n is AwaitExpressionSyntax);
            if (first is AwaitExpressionSyntax { Expression: var awaited }
                && Unconfigured(awaited) is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "WaitAsync" } waitAsync } call
                && model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol method
                && SymbolEqualityComparer.Default.Equals(method.ContainingType, semaphore))
            {
                return waitAsync.Expression;
            }
        }

        return null;
    }

    private static ExpressionSyntax Unconfigured(ExpressionSyntax awaited) =>
        awaited is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Expression: var inner } } ? inner : awaited;
}
