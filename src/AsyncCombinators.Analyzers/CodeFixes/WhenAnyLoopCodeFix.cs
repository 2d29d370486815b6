using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace AsyncCombinators.Analyzers.CodeFixes;

/// <summary>
/// AC0001 fix for the common shape: a <c>while</c> (or condition-only <c>for</c>) loop over the collection whose body
/// starts with <c>var t = await Task.WhenAny(tasks);</c> and removes <c>t</c> once (or re-creates the collection)
/// becomes <c>await foreach (var t in Async.AsCompleted(tasks)) { ...the rest... }</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WhenAnyLoopCodeFix))]
[Shared]
public sealed class WhenAnyLoopCodeFix : DocumentCodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.WhenAnyLoop);

    protected override string Title => "Use Async.AsCompleted";

    protected override Edit? CreateEdit(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, ISet<string> reservedNames, CancellationToken cancellationToken)
    {
        // await foreach needs C# 8; AsyncCombinators also serves netstandard2.0 projects that stay on C# 7.3.
        if (root.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp8 }
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax { ArgumentList.Arguments: { Count: 1 } arguments } whenAny)
        {
            return null;
        }

        string configureAwait = "";
        SyntaxNode awaited = whenAny;
        if (whenAny.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax configured })
        {
            // An async stream's ConfigureAwait takes a bool only, not ConfigureAwaitOptions.
            if (configured.ArgumentList.Arguments is not { Count: 1 } options
                || model.GetTypeInfo(options[0].Expression, cancellationToken).Type?.SpecialType != SpecialType.System_Boolean)
            {
                return null;
            }

            configureAwait = ".ConfigureAwait" + configured.ArgumentList.ToString();
            awaited = configured;
        }

        if (awaited.Parent is not AwaitExpressionSyntax
            {
                Parent: EqualsValueClauseSyntax
                {
                    Parent: VariableDeclaratorSyntax
                    {
                        Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax { Modifiers.Count: 0, UsingKeyword.RawKind: 0 } declaration } variables,
                    } declarator,
                },
            }
            || declaration.Parent is not BlockSyntax body
            || body.Statements.IndexOf(declaration) != 0)
        {
            return null;
        }

        ExpressionSyntax source = arguments[0].Expression;
        ISymbol? collection = model.GetSymbolInfo(source, cancellationToken).Symbol;
        SyntaxToken keyword;
        SyntaxToken closeParen;
        switch (body.Parent)
        {
            case WhileStatementSyntax whileLoop when IsNotEmptyCheck(whileLoop.Condition, collection, model, cancellationToken):
                (keyword, closeParen) = (whileLoop.WhileKeyword, whileLoop.CloseParenToken);
                break;
            case ForStatementSyntax { Declaration: null, Initializers.Count: 0, Incrementors.Count: 0, Condition: { } condition } forLoop
                when IsNotEmptyCheck(condition, collection, model, cancellationToken):
                (keyword, closeParen) = (forLoop.ForKeyword, forLoop.CloseParenToken);
                break;
            default:
                return null;
        }

        // The collection may be touched once more in the body, by the statement that takes the task out.
        var others = body.Statements.Skip(1).Where(s => References(s, collection, model, cancellationToken)).ToList();
        if (others.Count != 1 || !TakesOut(others[0], collection, declarator.Identifier.ValueText, model, cancellationToken))
        {
            return null;
        }

        StatementSyntax removal = others[0];
        int removalIndex = body.Statements.IndexOf(removal);
        if (body.Statements.Skip(1).Take(removalIndex - 1).Any(s => s.DescendantNodesAndSelf().OfType<ContinueStatementSyntax>().Any()))
        {
            return null;
        }

        // The foreach variable is read-only: a body that assigns the task (or passes it by ref) would not compile.
        if (body.Statements.Count > 1
            && model.GetDeclaredSymbol(declarator, cancellationToken) is { } finished
            && model.AnalyzeDataFlow(body.Statements[1], body.Statements[body.Statements.Count - 1]) is { Succeeded: true } flow
            && flow.WrittenInside.Contains(finished, SymbolEqualityComparer.Default))
        {
            return null;
        }

        SyntaxNode loop = body.Parent;
        if (IsUsedAfter(loop, collection, model, cancellationToken))
        {
            return null;
        }

        return new Edit(
            editor =>
            {
                BlockSyntax rest = WithoutStatements(body, declaration, removal);
                var foreachLoop = DocumentCodeFixProvider.ParseStatement<ForEachStatementSyntax>(
                    $"await foreach ({variables.Type.WithoutTrivia()} {declarator.Identifier.ValueText} in {AsyncTypeName}.AsCompleted({source.WithoutTrivia()}){configureAwait}) {{ }}");
                foreachLoop = foreachLoop
                    .WithCloseParenToken(foreachLoop.CloseParenToken.WithTrailingTrivia(closeParen.TrailingTrivia))
                    .WithStatement(rest)
                    .WithLeadingTrivia(keyword.LeadingTrivia);
                editor.ReplaceNode(loop, foreachLoop);
            },
            loop);
    }

    /// <summary>
    /// The block without the two statements. What precedes a removed statement on lines of its own (comments,
    /// <c>#if</c> ... <c>#endif</c> and the code they disable) moves to the statement or brace after it: dropped, it
    /// would lose code, or leave an <c>#if</c> without its <c>#endif</c>.
    /// </summary>
    private static BlockSyntax WithoutStatements(BlockSyntax body, StatementSyntax declaration, StatementSyntax removal)
    {
        var kept = new List<StatementSyntax>(body.Statements.Count);
        var carried = new List<SyntaxTrivia>();
        foreach (StatementSyntax statement in body.Statements)
        {
            if (statement == declaration || statement == removal)
            {
                carried.AddRange(LinesBefore(statement));
                continue;
            }

            kept.Add(carried.Count == 0 ? statement : statement.WithLeadingTrivia(carried.Concat(statement.GetLeadingTrivia())));
            carried.Clear();
        }

        SyntaxToken closeBrace = carried.Count == 0 ? body.CloseBraceToken : body.CloseBraceToken.WithLeadingTrivia(carried.Concat(body.CloseBraceToken.LeadingTrivia));
        return body.WithStatements(SyntaxFactory.List(kept)).WithCloseBraceToken(closeBrace);
    }

    /// <summary>The statement's leading trivia without the indentation of its own line; nothing when that is all it has.</summary>
    private static IEnumerable<SyntaxTrivia> LinesBefore(StatementSyntax statement)
    {
        SyntaxTriviaList leading = statement.GetLeadingTrivia();
        if (leading.All(t => t.IsKind(SyntaxKind.WhitespaceTrivia) || t.IsKind(SyntaxKind.EndOfLineTrivia)))
        {
            return Enumerable.Empty<SyntaxTrivia>();
        }

        int end = leading.Count;
        while (end > 0 && leading[end - 1].IsKind(SyntaxKind.WhitespaceTrivia))
        {
            end--;
        }

        return leading.Take(end);
    }

    private static bool References(SyntaxNode node, ISymbol? symbol, SemanticModel model, CancellationToken cancellationToken) =>
        symbol is not null && node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(
            n => n.Identifier.ValueText == symbol.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(n, cancellationToken).Symbol, symbol));

    /// <summary>
    /// Whether the loop condition only says "the collection is not empty" (<c>tasks.Count &gt; 0</c>, <c>!= 0</c>,
    /// <c>&gt;= 1</c>, <c>Length</c>, <c>Count()</c>, <c>Any()</c>): anything more would be dropped by the rewrite.
    /// </summary>
    private static bool IsNotEmptyCheck(ExpressionSyntax condition, ISymbol? collection, SemanticModel model, CancellationToken cancellationToken)
    {
        while (condition is ParenthesizedExpressionSyntax parenthesized)
        {
            condition = parenthesized.Expression;
        }

        switch (condition)
        {
            case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Any", Expression: var target }, ArgumentList.Arguments.Count: 0 }:
                return IsCollection(target, collection, model, cancellationToken);
            case BinaryExpressionSyntax binary:
                return (IsSize(binary.Left, collection, model, cancellationToken) && IsBound(binary.OperatorToken.Kind(), binary.Right, reversed: false))
                    || (IsSize(binary.Right, collection, model, cancellationToken) && IsBound(binary.OperatorToken.Kind(), binary.Left, reversed: true));
            default:
                return false;
        }
    }

    /// <summary><c>size &gt; 0</c>, <c>size != 0</c>, <c>size &gt;= 1</c>, or the same written the other way round.</summary>
    private static bool IsBound(SyntaxKind operatorKind, ExpressionSyntax bound, bool reversed) =>
        bound is LiteralExpressionSyntax { Token.Value: int value }
        && (operatorKind, value, reversed) switch
        {
            (SyntaxKind.ExclamationEqualsToken, 0, _) => true,
            (SyntaxKind.GreaterThanToken, 0, false) or (SyntaxKind.LessThanToken, 0, true) => true,
            (SyntaxKind.GreaterThanEqualsToken, 1, false) or (SyntaxKind.LessThanEqualsToken, 1, true) => true,
            _ => false,
        };

    /// <summary><c>tasks.Count</c>, <c>tasks.Length</c> or <c>tasks.Count()</c>.</summary>
    private static bool IsSize(ExpressionSyntax expression, ISymbol? collection, SemanticModel model, CancellationToken cancellationToken) =>
        expression switch
        {
            MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Count" or "Length", Expression: var target } => IsCollection(target, collection, model, cancellationToken),
            InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Count", Expression: var target }, ArgumentList.Arguments.Count: 0 } =>
                IsCollection(target, collection, model, cancellationToken),
            _ => false,
        };

    private static bool IsCollection(ExpressionSyntax expression, ISymbol? collection, SemanticModel model, CancellationToken cancellationToken) =>
        expression is IdentifierNameSyntax or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax }
        && collection is not null
        && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(expression, cancellationToken).Symbol, collection);

    /// <summary>
    /// Whether code that runs after the loop (after it in its method, or in a later pass of an enclosing loop, or any
    /// other code for a field) reads the collection: the loop leaves it empty (or with the tasks left after a break),
    /// AsCompleted leaves it whole.
    /// </summary>
    private static bool IsUsedAfter(SyntaxNode loop, ISymbol? collection, SemanticModel model, CancellationToken cancellationToken)
    {
        if (collection is IFieldSymbol field)
        {
            // A field outlives the call: other members (or the next call) read what the loop leaves in it, or add
            // to it. Only a private field that nothing outside the loop names is as good as a local.
            return field.DeclaredAccessibility != Accessibility.Private
                || field.ContainingType.DeclaringSyntaxReferences.Any(reference => reference.GetSyntax(cancellationToken).DescendantNodes().OfType<IdentifierNameSyntax>().Any(
                    n => n.Identifier.ValueText == field.Name && !(n.SyntaxTree == loop.SyntaxTree && loop.Span.Contains(n.Span))));
        }

        // Top-level statements are one function: a global statement is a member, but the ones after it run later.
        static bool IsFunction(SyntaxNode n) =>
            n is MemberDeclarationSyntax and not GlobalStatementSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or CompilationUnitSyntax;

        SyntaxNode? function = loop.Parent?.FirstAncestorOrSelf<SyntaxNode>(IsFunction);
        if (function is null || collection is null)
        {
            return true;
        }

        // A collection captured from an enclosing method: the lambda or local function that holds the loop can run at
        // any point of that method, so any read there outside the loop counts.
        if (collection.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is { } declaration
            && declaration.SyntaxTree == loop.SyntaxTree
            && !function.Span.Contains(declaration.Span))
        {
            SyntaxNode? owner = declaration.FirstAncestorOrSelf<SyntaxNode>(IsFunction);
            return owner is null || owner.DescendantNodes().OfType<IdentifierNameSyntax>().Any(
                n => !loop.Span.Contains(n.Span) && References(n, collection, model, cancellationToken));
        }

        // From the start of the outermost loop around this one (code before it in a later pass runs after it too).
        int start = loop.SpanStart;
        for (SyntaxNode? node = loop.Parent; node is not null && node != function; node = node.Parent)
        {
            if (node is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax)
            {
                start = node.SpanStart;
            }
        }

        // A lambda or local function written before the loop (a progress timer showing tasks.Count) may run during
        // or after it, so its reads count wherever it is written.
        return function.DescendantNodes().OfType<IdentifierNameSyntax>().Any(
            n => (n.SpanStart >= start || n.Ancestors().TakeWhile(a => a != function).Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
                && !loop.Span.Contains(n.Span)
                && References(n, collection, model, cancellationToken));
    }

    /// <summary><c>tasks.Remove(t);</c> or <c>tasks = ...;</c> (re-created without <c>t</c>).</summary>
    private static bool TakesOut(StatementSyntax statement, ISymbol? collection, string task, SemanticModel model, CancellationToken cancellationToken) =>
        statement is ExpressionStatementSyntax { Expression: var expression }
        && expression switch
        {
            InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Remove", Expression: var target }, ArgumentList.Arguments: { Count: 1 } removed } =>
                References(target, collection, model, cancellationToken) && removed[0].Expression is IdentifierNameSyntax { Identifier.ValueText: var name } && name == task,
            AssignmentExpressionSyntax { Left: var left } assignment when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) =>
                left is IdentifierNameSyntax && References(left, collection, model, cancellationToken),
            _ => false,
        };
}
