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
/// AC0003 fix: <c>await Task.WhenAll(userTask, countTask);</c> becomes
/// <c>var (user, count) = await Async.Gather(userTask, countTask);</c> and every later <c>userTask.Result</c> or
/// <c>await userTask</c> becomes <c>user</c>. A name ending in "Task" loses it; any other gets "Result" appended.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WhenAllResultsCodeFix))]
[Shared]
public sealed class WhenAllResultsCodeFix : DocumentCodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.WhenAllResults);

    protected override string Title => "Use Async.Gather";

    protected override Edit? CreateEdit(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, ISet<string> reservedNames, CancellationToken cancellationToken)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax whenAll
            || WhenAllResultsShape.TryMatch(whenAll, model, cancellationToken) is not { } shape)
        {
            return null;
        }

        // A new local's scope: the block, or the file for top-level statements (they share one scope).
        SyntaxNode scope = shape.Statement.Parent is GlobalStatementSyntax global ? global.Parent! : shape.Statement.Parent!;
        string[] names = shape.Tasks.Select(t => UniqueName(ResultName(t.Name), model, scope, reservedNames)).ToArray();
        string configureAwait = whenAll.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax configured }
            ? ".ConfigureAwait" + configured.ArgumentList
            : "";
        string gather = $"var ({string.Join(", ", names)}) = await {AsyncTypeName}.Gather({string.Join(", ", shape.Tasks.Select(t => AsIdentifier(t.Name)))}){configureAwait};";

        return new Edit(
            editor =>
            {
                editor.ReplaceNode(shape.Statement, DocumentCodeFixProvider.ParseStatement<StatementSyntax>(gather).WithTriviaFrom(shape.Statement));
                foreach ((ExpressionSyntax read, int index) in shape.Reads)
                {
                    editor.ReplaceNode(read, SyntaxFactory.IdentifierName(names[index]).WithTriviaFrom(read));
                }
            },
            shape.Reads.Select(r => (SyntaxNode)r.Read).Prepend(shape.Statement).ToArray());
    }

    private static string ResultName(string taskName) =>
        taskName.Length > 4 && taskName.EndsWith("Task", StringComparison.Ordinal) ? taskName.Substring(0, taskName.Length - 4) : taskName + "Result";
}
