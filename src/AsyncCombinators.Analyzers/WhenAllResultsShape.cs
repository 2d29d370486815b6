using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncCombinators.Analyzers;

/// <summary>
/// The AC0003 shape, shared by the analyzer and the code fix: the statement <c>await Task.WhenAll(a, b[, ...]);</c>
/// over 2 to 5 locals or parameters of type <c>Task&lt;T&gt;</c>, followed in its block by reads of
/// <c>a.Result</c> or <c>await a</c>, and no assignment to any of them. Top-level statements count as one block.
/// </summary>
internal sealed class WhenAllResultsShape
{
    private WhenAllResultsShape(ExpressionStatementSyntax statement, InvocationExpressionSyntax whenAll, ImmutableArray<ISymbol> tasks, ImmutableArray<(ExpressionSyntax Read, int Index)> reads)
    {
        Statement = statement;
        WhenAll = whenAll;
        Tasks = tasks;
        Reads = reads;
    }

    /// <summary>The <c>await Task.WhenAll(...);</c> statement.</summary>
    internal ExpressionStatementSyntax Statement { get; }

    /// <summary>The <c>Task.WhenAll(...)</c> call.</summary>
    internal InvocationExpressionSyntax WhenAll { get; }

    /// <summary>The tasks, in argument order.</summary>
    internal ImmutableArray<ISymbol> Tasks { get; }

    /// <summary>Each <c>x.Result</c> or <c>await x</c> after the statement, with the index of its task.</summary>
    internal ImmutableArray<(ExpressionSyntax Read, int Index)> Reads { get; }

    internal static WhenAllResultsShape? TryMatch(InvocationExpressionSyntax whenAll, SemanticModel model, CancellationToken cancellationToken)
    {
        SeparatedSyntaxList<ArgumentSyntax> arguments = whenAll.ArgumentList.Arguments;
        if (arguments.Count is < 2 or > 5)
        {
            return null;
        }

        // await Task.WhenAll(...); or await Task.WhenAll(...).ConfigureAwait(...);
        SyntaxNode? awaited = whenAll.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax configureAwait }
            ? configureAwait
            : whenAll;
        if (awaited.Parent is not AwaitExpressionSyntax { Parent: ExpressionStatementSyntax statement }
            || StatementsAfter(statement) is not { } following)
        {
            return null;
        }

        // Only ConfigureAwait(bool) carries over to Gather. ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing)
        // waits without throwing so the code after can look at each task: Gather would throw instead (and a Task<T>
        // rejects SuppressThrowing at run time).
        if (awaited is InvocationExpressionSyntax { ArgumentList.Arguments: var options } && awaited != whenAll
            && (options.Count != 1 || model.GetTypeInfo(options[0].Expression, cancellationToken).Type?.SpecialType != SpecialType.System_Boolean))
        {
            return null;
        }

        var tasks = ImmutableArray.CreateBuilder<ISymbol>(arguments.Count);
        foreach (ArgumentSyntax argument in arguments)
        {
            if (argument.NameColon is not null || argument.Expression is not IdentifierNameSyntax
                || model.GetSymbolInfo(argument.Expression, cancellationToken).Symbol is not { Kind: SymbolKind.Local or SymbolKind.Parameter } symbol
                || !IsGenericTask(symbol is ILocalSymbol local ? local.Type : ((IParameterSymbol)symbol).Type)
                || tasks.Any(t => SymbolEqualityComparer.Default.Equals(t, symbol)))
            {
                return null;
            }

            tasks.Add(symbol);
        }

        var names = new Dictionary<string, int>();
        for (int i = 0; i < tasks.Count; i++)
        {
            names[tasks[i].Name] = i;
        }

        var reads = ImmutableArray.CreateBuilder<(ExpressionSyntax, int)>();
        foreach (StatementSyntax next in following)
        {
            foreach (SyntaxNode node in next.DescendantNodes())
            {
                if (node is not IdentifierNameSyntax identifier || !names.TryGetValue(identifier.Identifier.ValueText, out int taskIndex)
                    || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, tasks[taskIndex]))
                {
                    continue;
                }

                switch (Classify(identifier))
                {
                    // A local function can be called before the statement, where the new local is not yet
                    // assigned (CS0165): a read in one stays as it is.
                    case (Use.Read, ExpressionSyntax read) when read.FirstAncestorOrSelf<LocalFunctionStatementSyntax>() is not { } function || function.SpanStart < next.SpanStart:
                        reads.Add((read, taskIndex));
                        break;
                    case (Use.Write, _):
                        return null;
                }
            }
        }

        return reads.Count == 0 ? null : new WhenAllResultsShape(statement, whenAll, tasks.ToImmutable(), reads.ToImmutable());
    }

    /// <summary>
    /// The statements after <paramref name="statement"/> in its block, or among the top-level statements of its file
    /// (what <c>dotnet new console</c> makes); <see langword="null"/> anywhere else.
    /// </summary>
    private static IEnumerable<StatementSyntax>? StatementsAfter(StatementSyntax statement) =>
        statement.Parent switch
        {
            BlockSyntax block => block.Statements.Skip(block.Statements.IndexOf(statement) + 1),
            GlobalStatementSyntax { Parent: CompilationUnitSyntax unit } global =>
                unit.Members.SkipWhile(member => member != global).Skip(1).OfType<GlobalStatementSyntax>().Select(next => next.Statement),
            _ => null,
        };

    private enum Use
    {
        Other,
        Read,
        Write,
    }

    /// <summary>How the identifier of a task is used: a read of its result (and the expression to replace), a write, or anything else.</summary>
    private static (Use Use, ExpressionSyntax? Read) Classify(IdentifierNameSyntax identifier)
    {
        switch (identifier.Parent)
        {
            case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Result" } result when result.Expression == identifier:
                return (Use.Read, result);
            case AwaitExpressionSyntax awaitTask:
                return (Use.Read, awaitTask);
            case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax { Parent: AwaitExpressionSyntax awaitConfigured } } configured
                when configured.Expression == identifier:
                return (Use.Read, awaitConfigured);
            case AssignmentExpressionSyntax assignment when assignment.Left == identifier:
                return (Use.Write, null);
            case ArgumentSyntax argument when !argument.RefKindKeyword.IsKind(SyntaxKind.None) && !argument.RefKindKeyword.IsKind(SyntaxKind.InKeyword):
                return (Use.Write, null);
            default:
                return (Use.Other, null);
        }
    }

    private static bool IsGenericTask(ITypeSymbol type) =>
        type is INamedTypeSymbol { Arity: 1, Name: "Task", ContainingNamespace: { Name: "Tasks", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } };
}
