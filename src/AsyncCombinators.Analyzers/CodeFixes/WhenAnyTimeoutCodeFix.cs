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
/// AC0002 fix for the two common shapes, where the timeout branch only throws <c>TimeoutException</c>:
/// <c>if (await Task.WhenAny(work, Task.Delay(t)) != work) throw new TimeoutException();</c> and
/// <c>var winner = await Task.WhenAny(work, Task.Delay(t)); if (winner != work) throw ...;</c>. Both become
/// <c>await Async.WaitFor(work, t);</c>, which throws TimeoutException itself (a token given to Task.Delay is passed on).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WhenAnyTimeoutCodeFix))]
[Shared]
public sealed class WhenAnyTimeoutCodeFix : DocumentCodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.WhenAnyTimeout);

    protected override string Title => "Use Async.WaitFor";

    protected override Edit? CreateEdit(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, ISet<string> reservedNames, CancellationToken cancellationToken)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax { ArgumentList.Arguments: { Count: 2 } arguments } whenAny)
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

        if (awaited.Parent is not AwaitExpressionSyntax wait)
        {
            return null;
        }

        // Which argument is the inline Task.Delay(...) call; the other is the work, a plain name.
        int delayIndex = IsDelayCall(arguments[0].Expression, model, cancellationToken) ? 0 : IsDelayCall(arguments[1].Expression, model, cancellationToken) ? 1 : -1;
        if (delayIndex < 0 || arguments[1 - delayIndex].Expression is not IdentifierNameSyntax work || Timeout((InvocationExpressionSyntax)arguments[delayIndex].Expression, model, cancellationToken) is not { } timeout)
        {
            return null;
        }

        string replacement = $"await {AsyncTypeName}.WaitFor({work.Identifier.Text}, {timeout}){configureAwait};";

        // if (await Task.WhenAny(...) != work) throw new TimeoutException();
        if (wait.Parent is BinaryExpressionSyntax comparison && IsTimedOutCheck(comparison, wait, work.Identifier.ValueText)
            && comparison.Parent is IfStatementSyntax ifStatement && ifStatement.Condition == comparison && OnlyThrowsTimeout(ifStatement, model, cancellationToken))
        {
            // A comment after the condition ("if (...) // why") stays on the new line.
            SyntaxTriviaList trailing = ifStatement.CloseParenToken.TrailingTrivia.Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia))
                ? ifStatement.CloseParenToken.TrailingTrivia
                : ifStatement.GetTrailingTrivia();
            return new Edit(
                editor => editor.ReplaceNode(
                    ifStatement,
                    DocumentCodeFixProvider.ParseStatement<StatementSyntax>(replacement).WithLeadingTrivia(ifStatement.GetLeadingTrivia()).WithTrailingTrivia(trailing)),
                ifStatement);
        }

        // var winner = await Task.WhenAny(...); if (winner != work) throw new TimeoutException();
        if (wait.Parent is EqualsValueClauseSyntax
            {
                Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax { Parent: BlockSyntax block } declaration } } winner,
            })
        {
            int index = block.Statements.IndexOf(declaration);
            if (index + 1 < block.Statements.Count
                && block.Statements[index + 1] is IfStatementSyntax { Condition: BinaryExpressionSyntax check } next
                && IsTimedOutCheck(check, IdentifierNamed(check, winner.Identifier.ValueText), work.Identifier.ValueText)
                && OnlyThrowsTimeout(next, model, cancellationToken)
                && CountNames(block, winner.Identifier.ValueText) == 1
                && !next.GetLeadingTrivia().Any(t => t.IsDirective))
            {
                // Code an #if disables between the two statements may use the winner: no fix then. Comment lines
                // there go before the new statement, which takes the declaration's indentation.
                SyntaxTriviaList leading = declaration.GetLeadingTrivia();
                int indentation = leading.Count;
                while (indentation > 0 && leading[indentation - 1].IsKind(SyntaxKind.WhitespaceTrivia))
                {
                    indentation--;
                }

                SyntaxTriviaList between = next.GetLeadingTrivia();
                int end = between.Count;
                while (end > 0 && between[end - 1].IsKind(SyntaxKind.WhitespaceTrivia))
                {
                    end--;
                }

                if (between.Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia)))
                {
                    leading = SyntaxFactory.TriviaList(leading.Take(indentation).Concat(between.Take(end)).Concat(leading.Skip(indentation)));
                }

                return new Edit(
                    editor =>
                    {
                        editor.ReplaceNode(declaration, DocumentCodeFixProvider.ParseStatement<StatementSyntax>(replacement).WithLeadingTrivia(leading).WithTrailingTrivia(next.GetTrailingTrivia()));
                        editor.RemoveNode(next, SyntaxRemoveOptions.KeepNoTrivia);
                    },
                    declaration,
                    next);
            }
        }

        return null;
    }

    private static bool IsDelayCall(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken) =>
        expression is InvocationExpressionSyntax
        && model.GetSymbolInfo(expression, cancellationToken).Symbol is IMethodSymbol { Name: "Delay", IsStatic: true } method
        && method.ContainingType.ToDisplayString() == "System.Threading.Tasks.Task";

    /// <summary>The WaitFor arguments after the task: the timeout as a TimeSpan, then the token if the delay had one.</summary>
    private static string? Timeout(InvocationExpressionSyntax delay, SemanticModel model, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)model.GetSymbolInfo(delay, cancellationToken).Symbol!;
        SeparatedSyntaxList<ArgumentSyntax> arguments = delay.ArgumentList.Arguments;
        if (arguments.Any(a => a.NameColon is not null) || arguments.Count != method.Parameters.Length)
        {
            return null;
        }

        string? timeout = method.Parameters[0].Type.SpecialType switch
        {
            SpecialType.System_Int32 => $"global::System.TimeSpan.FromMilliseconds({arguments[0].Expression.WithoutTrivia()})",
            _ when method.Parameters[0].Type.ToDisplayString() == "System.TimeSpan" => arguments[0].Expression.WithoutTrivia().ToString(),
            _ => null,
        };
        return method.Parameters.Length switch
        {
            1 => timeout,
            2 when method.Parameters[1].Type.ToDisplayString() == "System.Threading.CancellationToken" => $"{timeout}, {arguments[1].Expression.WithoutTrivia()}",
            _ => null,
        };
    }

    /// <summary>Whether the comparison is true on timeout: <c>winner != work</c> (either side).</summary>
    private static bool IsTimedOutCheck(BinaryExpressionSyntax comparison, SyntaxNode? winner, string work) =>
        winner is not null
        && comparison.IsKind(SyntaxKind.NotEqualsExpression)
        && (comparison.Left == winner ? comparison.Right : comparison.Left) is IdentifierNameSyntax other
        && (comparison.Left == winner || comparison.Right == winner)
        && other.Identifier.ValueText == work;

    private static IdentifierNameSyntax? IdentifierNamed(BinaryExpressionSyntax comparison, string name) =>
        new[] { comparison.Left, comparison.Right }.OfType<IdentifierNameSyntax>().FirstOrDefault(n => n.Identifier.ValueText == name);

    /// <summary>The if has no else and its body is <c>throw new TimeoutException(...)</c>, alone or in a block.</summary>
    private static bool OnlyThrowsTimeout(IfStatementSyntax ifStatement, SemanticModel model, CancellationToken cancellationToken)
    {
        StatementSyntax body = ifStatement.Statement is BlockSyntax { Statements.Count: 1 } block ? block.Statements[0] : ifStatement.Statement;
        return ifStatement.Else is null
            && body is ThrowStatementSyntax { Expression: { } thrown }
            && model.GetTypeInfo(thrown, cancellationToken).Type?.ToDisplayString() == "System.TimeoutException";
    }

    private static int CountNames(SyntaxNode scope, string name) =>
        scope.DescendantNodes().OfType<IdentifierNameSyntax>().Count(n => n.Identifier.ValueText == name);
}
