using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncCombinators.Analyzers.CodeFixes;

/// <summary>
/// A code fix that edits one document. A single fix and Fix all (document, project, solution) go through the same
/// path: every diagnostic of a document is turned into edits on one <see cref="SyntaxEditor"/> over the original
/// tree (but those that overlap an earlier one, left to the next pass), then the <c>using AsyncCombinators;</c> the
/// new code needs is added once and the qualified names reduced.
/// </summary>
public abstract class DocumentCodeFixProvider : CodeFixProvider
{
    /// <summary>The fully qualified name new code uses for <c>Async</c>; reduced to <c>Async</c> with a using.</summary>
    internal const string AsyncTypeName = "global::AsyncCombinators.Async";

    /// <summary>The code action's title.</summary>
    protected abstract string Title { get; }

    public sealed override FixAllProvider GetFixAllProvider() =>
        FixAllProvider.Create(static async (context, document, diagnostics) =>
            await ((DocumentCodeFixProvider)context.CodeFixProvider).FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false));

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (CreateEdit(root, model, diagnostic, new HashSet<string>(), context.CancellationToken) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct), equivalenceKey: diagnostic.Id),
                    diagnostic);
            }
        }
    }

    /// <summary>
    /// The edit that fixes <paramref name="diagnostic"/>, or null when the code around it is not a shape the fix
    /// handles. <paramref name="reservedNames"/> holds the names earlier edits of the same pass have declared.
    /// </summary>
    protected abstract Edit? CreateEdit(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, ISet<string> reservedNames, CancellationToken cancellationToken);

    /// <summary>
    /// An edit, and the nodes of the original tree it replaces or removes outright (built from the original nodes,
    /// not from the editor's current ones). Two edits whose such nodes overlap cannot both apply in one pass.
    /// </summary>
    protected sealed class Edit
    {
        public Edit(Action<SyntaxEditor> apply, params SyntaxNode[] replaces)
        {
            Apply = apply;
            Replaces = replaces;
        }

        internal Action<SyntaxEditor> Apply { get; }

        internal IReadOnlyList<SyntaxNode> Replaces { get; }
    }

    private async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return document;
        }

        var editor = new SyntaxEditor(root, document.Project.Solution.Workspace.Services);
        var reservedNames = new HashSet<string>();
        var replaced = new List<SyntaxNode>();
        bool changed = false;
        foreach (Diagnostic diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
        {
            // An edit that replaces a node inside (or around, or the same as) one an earlier edit replaced would make
            // the editor fail (a nested AC0001 loop, two AC0003 fixes reading the same task). It is left for the
            // next Fix all, which sees the code the first one made.
            Edit? edit = CreateEdit(root, model, diagnostic, reservedNames, cancellationToken);
            if (edit is not null && !edit.Replaces.Any(node => replaced.Any(other => node.Span.IntersectsWith(other.Span))))
            {
                edit.Apply(editor);
                replaced.AddRange(edit.Replaces);
                changed = true;
            }
        }

        if (!changed)
        {
            return document;
        }

        Document result = document.WithSyntaxRoot(editor.GetChangedRoot());
        result = await ImportAdder.AddImportsAsync(result, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        result = await Simplifier.ReduceAsync(result, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await Formatter.FormatAsync(result, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Parses a statement written with <see cref="AsyncTypeName"/> (and <c>global::System.TimeSpan</c>) and marks those
    /// names to be imported and reduced, so the result reads <c>Async.X(...)</c> with a <c>using</c> added if needed.
    /// </summary>
    internal static TStatement ParseStatement<TStatement>(string text)
        where TStatement : SyntaxNode
    {
        var statement = (TStatement)(SyntaxNode)SyntaxFactory.ParseStatement(text);
        return statement.ReplaceNodes(
            statement.DescendantNodes().Where(n => n.ToString() is AsyncTypeName or "global::System.TimeSpan"),
            static (_, rewritten) => rewritten.WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
    }

    /// <summary>
    /// A symbol's name as code refers to it: <c>@event</c> for a name that is a keyword, which a symbol's name and an
    /// identifier's value text give without the <c>@</c>.
    /// </summary>
    internal static string AsIdentifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None ? name : "@" + name;

    /// <summary>A reference to a symbol by its name, as <see cref="AsIdentifier"/> writes it.</summary>
    internal static IdentifierNameSyntax IdentifierName(string name) =>
        SyntaxFactory.IdentifierName(SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None
            ? SyntaxFactory.Identifier(name)
            : SyntaxFactory.VerbatimIdentifier(default, name, name, default));

    /// <summary>
    /// A name for a new local near <paramref name="scope"/>: <paramref name="baseName"/>, or it followed by 2, 3, ...
    /// when a symbol of that name is in scope, a declaration in <paramref name="scope"/> uses it, or an earlier edit
    /// of the same pass reserved it in the same scope.
    /// </summary>
    internal static string UniqueName(string baseName, SemanticModel model, SyntaxNode scope, ISet<string> reservedNames)
    {
        if (SyntaxFacts.GetKeywordKind(baseName) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(baseName) != SyntaxKind.None)
        {
            baseName += "Result";
        }

        var declared = new HashSet<string>(scope.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken) && DeclaresName(t.Parent)).Select(t => t.ValueText));
        string name = baseName;
        for (int suffix = 2; reservedNames.Contains(Reserved(scope, name)) || declared.Contains(name) || !model.LookupSymbols(scope.SpanStart, name: name).IsEmpty; suffix++)
        {
            name = baseName + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        reservedNames.Add(Reserved(scope, name));
        return name;
    }

    /// <summary>
    /// Whether the token's parent declares a name a new local may not reuse in an enclosing scope: locals, pattern and
    /// out variables, parameters, foreach and catch variables, query range variables, local functions, type parameters.
    /// </summary>
    private static bool DeclaresName(SyntaxNode? node) =>
        node is VariableDeclaratorSyntax or SingleVariableDesignationSyntax or ParameterSyntax or ForEachStatementSyntax
            or CatchDeclarationSyntax or FromClauseSyntax or LetClauseSyntax or JoinClauseSyntax or JoinIntoClauseSyntax
            or QueryContinuationSyntax or LocalFunctionStatementSyntax or TypeParameterSyntax;

    private static string Reserved(SyntaxNode scope, string name) => scope.SpanStart.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + name;
}
