using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace AsyncCombinators.Analyzers.CodeFixes;

/// <summary>
/// AC0004 fix: pass the lambda's token to the call, as the last argument (named when positional would not bind to
/// the token parameter), as CA2016's fix does for a method's token.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(OperationTokenCodeFix))]
[Shared]
public sealed class OperationTokenCodeFix : DocumentCodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.OperationToken);

    protected override string Title => "Pass the operation's CancellationToken";

    protected override Edit? CreateEdit(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, ISet<string> reservedNames, CancellationToken cancellationToken)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax call
            || !diagnostic.Properties.TryGetValue(OperationTokenAnalyzer.TokenProperty, out string? token)
            || token is null)
        {
            return null;
        }

        diagnostic.Properties.TryGetValue(OperationTokenAnalyzer.ParameterNameProperty, out string? parameterName);
        ArgumentSyntax argument = SyntaxFactory.Argument(IdentifierName(token));
        if (parameterName is not null)
        {
            argument = argument.WithNameColon(SyntaxFactory.NameColon(IdentifierName(parameterName)).WithTrailingTrivia(SyntaxFactory.Space));
        }

        // Built from the editor's current call, so a call nested in its arguments can be fixed in the same pass.
        return new Edit(editor => editor.ReplaceNode(call, (current, _) =>
        {
            var invocation = (InvocationExpressionSyntax)current;
            SeparatedSyntaxList<ArgumentSyntax> arguments = invocation.ArgumentList.Arguments;
            if (arguments.Count == 0)
            {
                return invocation.WithArgumentList(invocation.ArgumentList.WithArguments(SyntaxFactory.SingletonSeparatedList(argument)));
            }

            // When the last argument ends its line, what trails it (a comment, the line break) moves behind the token,
            // so that the token does not start the next line. A comment inside the line stays with its argument.
            ArgumentSyntax last = arguments[arguments.Count - 1];
            SyntaxTriviaList trailing = last.GetTrailingTrivia();
            ArgumentSyntax added = argument;
            if (trailing.Any(SyntaxKind.EndOfLineTrivia))
            {
                arguments = arguments.Replace(last, last.WithoutTrailingTrivia());
                added = argument.WithTrailingTrivia(trailing);
            }

            SyntaxNodeOrTokenList list = arguments.GetWithSeparators()
                .Add(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space))
                .Add(added);
            return invocation.WithArgumentList(invocation.ArgumentList.WithArguments(SyntaxFactory.SeparatedList<ArgumentSyntax>(list)));
        }));
    }
}
