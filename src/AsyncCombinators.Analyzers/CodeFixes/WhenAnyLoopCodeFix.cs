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

    protected override Action<SyntaxEditor>? CreateEdit(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, ISet<string> reservedNames, CancellationToken cancellationToken)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax { ArgumentList.Arguments: { Count: 1 } arguments } whenAny)
        {
            return null;
        }

        string configureAwait = "";
        SyntaxNode awaited = whenAny;
        if (whenAny.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax configured })
        {
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
            case WhileStatementSyntax whileLoop when References(whileLoop.Condition, collection, model, cancellationToken):
                (keyword, closeParen) = (whileLoop.WhileKeyword, whileLoop.CloseParenToken);
                break;
            case ForStatementSyntax { Declaration: null, Initializers.Count: 0, Incrementors.Count: 0, Condition: { } condition } forLoop
                when References(condition, collection, model, cancellationToken):
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

        SyntaxNode loop = body.Parent;
        return editor =>
        {
            BlockSyntax rest = body.RemoveNodes(new SyntaxNode[] { declaration, removal }, SyntaxRemoveOptions.KeepNoTrivia)!;
            var foreachLoop = DocumentCodeFixProvider.ParseStatement<ForEachStatementSyntax>(
                $"await foreach ({variables.Type.WithoutTrivia()} {declarator.Identifier.ValueText} in {AsyncTypeName}.AsCompleted({source.WithoutTrivia()}){configureAwait}) {{ }}");
            foreachLoop = foreachLoop
                .WithCloseParenToken(foreachLoop.CloseParenToken.WithTrailingTrivia(closeParen.TrailingTrivia))
                .WithStatement(rest)
                .WithLeadingTrivia(keyword.LeadingTrivia);
            editor.ReplaceNode(loop, foreachLoop);
        };
    }

    private static bool References(SyntaxNode node, ISymbol? symbol, SemanticModel model, CancellationToken cancellationToken) =>
        symbol is not null && node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(
            n => n.Identifier.ValueText == symbol.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(n, cancellationToken).Symbol, symbol));

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
