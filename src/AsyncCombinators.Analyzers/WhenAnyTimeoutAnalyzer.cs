using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncCombinators.Analyzers;

/// <summary>
/// AC0002: <c>await Task.WhenAny(work, Task.Delay(timeout))</c> used as a timeout: the awaited winner compared with
/// one of the two tasks (directly, or through the local it is stored in), or the wait awaited on its own before the
/// work is examined. The delay may also come from a local initialized with <c>Task.Delay</c>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WhenAnyTimeoutAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.WhenAnyTimeout);

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
        if (!invocation.TargetMethod.IsTaskMethod("WhenAny", task) || !TryGetRace(invocation, task, out IOperation work, out IOperation delay))
        {
            return;
        }

        IAwaitOperation? wait = invocation.ConsumingAwait();
        if (wait is not null && IsUsedAsTimeout(wait, work, delay))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.WhenAnyTimeout, invocation.Syntax.GetLocation(), work.Syntax.ToString()));
        }
    }

    /// <summary>
    /// Whether WhenAny races exactly two tasks, one of them a <c>Task.Delay</c>: <paramref name="work"/> is the other.
    /// Read from the syntax, so every overload (two tasks, params array, params span) looks the same.
    /// </summary>
    internal static bool TryGetRace(IInvocationOperation invocation, INamedTypeSymbol task, out IOperation work, out IOperation delay)
    {
        work = delay = null!;
        if (invocation.Syntax is not InvocationExpressionSyntax { ArgumentList.Arguments: { Count: 2 } arguments } || invocation.SemanticModel is not { } model)
        {
            return false;
        }

        IOperation? first = model.GetOperation(arguments[0].Expression);
        IOperation? second = model.GetOperation(arguments[1].Expression);
        if (first is null || second is null)
        {
            return false;
        }

        bool firstIsDelay = IsDelay(first, task, model);
        bool secondIsDelay = IsDelay(second, task, model);
        if (firstIsDelay == secondIsDelay)
        {
            return false;
        }

        (work, delay) = firstIsDelay ? (second, first) : (first, second);
        return true;
    }

    /// <summary>A <c>Task.Delay(...)</c> call with a finite delay, or a local initialized with one.</summary>
    private static bool IsDelay(IOperation operation, INamedTypeSymbol task, SemanticModel model)
    {
        IOperation value = operation.WithoutConversions();
        if (value is IInvocationOperation invocation)
        {
            return IsFiniteDelay(invocation, task);
        }

        if (value is ILocalReferenceOperation local
            && local.Local.DeclaringSyntaxReferences.Length == 1
            && local.Local.DeclaringSyntaxReferences[0].GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: { } initializer }
            && initializer.SyntaxTree == model.SyntaxTree)
        {
            return model.GetOperation(initializer) is { } init && init.WithoutConversions() is IInvocationOperation delay && IsFiniteDelay(delay, task);
        }

        return false;
    }

    /// <summary>
    /// <c>Task.Delay</c> with a delay other than <c>Timeout.Infinite</c> (-1) or <c>Timeout.InfiniteTimeSpan</c>: an
    /// infinite delay with a token only ends on cancellation, so the race waits for the work or the token (the
    /// "WithCancellation" idiom), not for a timeout, and has no timer.
    /// </summary>
    private static bool IsFiniteDelay(IInvocationOperation delay, INamedTypeSymbol task)
    {
        if (!delay.TargetMethod.IsTaskMethod("Delay", task))
        {
            return false;
        }

        IOperation? length = delay.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value.WithoutConversions();
        return length switch
        {
            { ConstantValue: { HasValue: true, Value: -1 } } => false,
            IFieldReferenceOperation { Field: { Name: "InfiniteTimeSpan", ContainingType: { Name: "Timeout", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } } } => false,
            _ => true,
        };
    }

    /// <summary>
    /// The awaited winner is compared with one of the racers, or stored in a local that is compared afterwards, or
    /// the wait is awaited on its own (its only purpose is to bound the wait for the work).
    /// </summary>
    private static bool IsUsedAsTimeout(IAwaitOperation wait, IOperation work, IOperation delay)
    {
        // A reference comparison converts both sides to object: look through that.
        IOperation? user = wait.Parent;
        while (user is IConversionOperation or IParenthesizedOperation)
        {
            user = user.Parent;
        }

        switch (user)
        {
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison:
                IOperation other = comparison.LeftOperand.WithoutConversions() == wait ? comparison.RightOperand : comparison.LeftOperand;
                return IsSameRacer(other, work) || IsSameRacer(other, delay);
            case IExpressionStatementOperation statement:
                return IsExaminedLater(statement.Syntax, work.Syntax);
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                return IsComparedLater(declarator, wait.Syntax);
            default:
                return false;
        }
    }

    /// <summary>
    /// Whether a later statement of the block mentions the work (<c>work.IsCompleted</c>, <c>await work</c>): a race
    /// awaited on its own that nothing examines afterwards is a wake-up (signal or interval), not a timeout.
    /// </summary>
    private static bool IsExaminedLater(SyntaxNode statement, SyntaxNode work)
    {
        // The statements after it in its block, switch section, or the top-level statements.
        SyntaxNode? container = statement.Parent is GlobalStatementSyntax global ? global.Parent : statement.Parent;
        return container is not null && container.ChildNodes()
            .Where(s => s.SpanStart > statement.SpanStart)
            .SelectMany(s => s.DescendantNodes())
            .Any(n => SyntaxFactory.AreEquivalent(n, work));
    }

    private static bool IsSameRacer(IOperation candidate, IOperation racer) =>
        racer.ReferencedSymbol() is { } symbol && candidate.RefersTo(symbol);

    /// <summary>Whether the local that stores the winner appears in a <c>==</c> or <c>!=</c> in its block.</summary>
    private static bool IsComparedLater(IVariableDeclaratorOperation declarator, SyntaxNode awaitSyntax)
    {
        string name = declarator.Symbol.Name;
        BlockSyntax? block = awaitSyntax.FirstAncestorOrSelf<BlockSyntax>();
        if (block is null)
        {
            return false;
        }

        foreach (SyntaxNode node in block.DescendantNodes(n => n is not AnonymousFunctionExpressionSyntax and not LocalFunctionStatementSyntax))
        {
            if (node is BinaryExpressionSyntax binary
                && (binary.IsKind(SyntaxKind.EqualsExpression) || binary.IsKind(SyntaxKind.NotEqualsExpression))
                && (IsName(binary.Left, name) || IsName(binary.Right, name)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsName(ExpressionSyntax expression, string name) => expression is IdentifierNameSyntax identifier && identifier.Identifier.ValueText == name;
}
