using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncCombinators.Analyzers;

/// <summary>
/// AC0004: a lambda given to an AsyncCombinators method that takes a CancellationToken, and inside it a call that
/// passes no token although the method has an optional CancellationToken parameter or an overload that adds one as
/// its last parameter (the shape CA2016 looks for in methods).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OperationTokenAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: the name of the lambda's token parameter.</summary>
    internal const string TokenProperty = "Token";

    /// <summary>Diagnostic property: the parameter name to use in a named argument, absent when positional fits.</summary>
    internal const string ParameterNameProperty = "ParameterName";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.OperationToken);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            INamedTypeSymbol? token = start.Compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
            if (token is not null)
            {
                start.RegisterOperationAction(c => Analyze(c, token), OperationKind.Invocation);
            }
        });
    }

    private static void Analyze(OperationAnalysisContext context, INamedTypeSymbol token)
    {
        var combinator = (IInvocationOperation)context.Operation;
        if (!IsCombinator(combinator.TargetMethod))
        {
            return;
        }

        // The operations are lambdas in the arguments: given directly, in an array, or made by a selector
        // (urls.Select(u => (Func<CancellationToken, Task<string>>)(ct => ...))).
        var pending = new Stack<IOperation>();
        foreach (IArgumentOperation argument in combinator.Arguments)
        {
            pending.Push(argument.Value);
        }

        while (pending.Count > 0)
        {
            IOperation operation = pending.Pop();
            if (operation is IAnonymousFunctionOperation lambda && TokenParameter(lambda.Symbol, token) is { } parameter)
            {
                AnalyzeBody(context, lambda.Body, parameter, token);
                continue;
            }

            if (operation is IInvocationOperation nested && IsCombinator(nested.TargetMethod))
            {
                // Analyzed on its own.
                continue;
            }

            foreach (IOperation child in operation.ChildOperations)
            {
                pending.Push(child);
            }
        }
    }

    /// <summary>A method of <c>AsyncCombinators.Async</c> or <c>AsyncCombinators.TaskGroup</c>: the types that run operations.</summary>
    private static bool IsCombinator(IMethodSymbol method) =>
        method.ContainingType is { Name: "Async" or "TaskGroup", ContainingType: null, ContainingNamespace: { Name: "AsyncCombinators", ContainingNamespace.IsGlobalNamespace: true } };

    private static IParameterSymbol? TokenParameter(IMethodSymbol lambda, INamedTypeSymbol token)
    {
        foreach (IParameterSymbol parameter in lambda.Parameters)
        {
            if (SymbolEqualityComparer.Default.Equals(parameter.Type, token))
            {
                // A discard, or a parameter named "_", says the token is ignored on purpose.
                return parameter.IsDiscard || parameter.Name.Trim('_').Length == 0 ? null : parameter;
            }
        }

        return null;
    }

    /// <summary>Every call in the lambda's own body, not in lambdas or local functions nested in it (they may run later, elsewhere).</summary>
    private static void AnalyzeBody(OperationAnalysisContext context, IOperation body, IParameterSymbol tokenParameter, INamedTypeSymbol token)
    {
        var pending = new Stack<IOperation>();
        pending.Push(body);
        while (pending.Count > 0)
        {
            IOperation operation = pending.Pop();
            if (operation is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                continue;
            }

            // Cleanup in a finally block, or in a catch of the cancellation, runs when the combinator has cancelled
            // the token: given that token, the cleanup call would throw at once and not clean up.
            if (operation is ITryOperation tryOperation)
            {
                pending.Push(tryOperation.Body);
                foreach (ICatchClauseOperation handler in tryOperation.Catches)
                {
                    if (!IsCancellation(handler.ExceptionType))
                    {
                        pending.Push(handler);
                    }
                }

                continue;
            }

            if (operation is IInvocationOperation call && MissingToken(call, token, context.Compilation, out string? parameterName))
            {
                ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                    .Add(TokenProperty, tokenParameter.Name)
                    .Add(ParameterNameProperty, parameterName);
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.OperationToken, call.Syntax.GetLocation(), properties, call.TargetMethod.Name, tokenParameter.Name));
            }

            foreach (IOperation child in operation.ChildOperations)
            {
                pending.Push(child);
            }
        }
    }

    private static bool IsCancellation(ITypeSymbol? type)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (type is { Name: "OperationCanceledException", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the call passes no CancellationToken although it could: an optional token parameter left out, or an
    /// overload with the same parameters plus a trailing token. <paramref name="parameterName"/> is set when the token
    /// must be passed as a named argument.
    /// </summary>
    private static bool MissingToken(IInvocationOperation call, INamedTypeSymbol token, Compilation compilation, out string? parameterName)
    {
        parameterName = null;

        // TaskCompletionSource's SetCanceled(token) and TrySetCanceled(token) record which token cancelled the task;
        // they do no work a token could cancel.
        if (call.TargetMethod.Name is "SetCanceled" or "TrySetCanceled")
        {
            return false;
        }

        bool named = false;
        int explicitCount = 0;
        IParameterSymbol? omitted = null;
        bool omittedOther = false;
        foreach (IArgumentOperation argument in call.Arguments)
        {
            switch (argument.ArgumentKind)
            {
                case ArgumentKind.DefaultValue:
                    if (argument.Parameter is { } p && SymbolEqualityComparer.Default.Equals(p.Type, token))
                    {
                        omitted = p;
                    }
                    else
                    {
                        omittedOther = true;
                    }

                    continue;
                case ArgumentKind.Explicit:
                    break;
                default:
                    // A params array: appending an argument would change what it binds to.
                    return false;
            }

            if (argument.Parameter is { } parameter && SymbolEqualityComparer.Default.Equals(parameter.Type, token))
            {
                return false;
            }

            explicitCount++;
            named |= argument.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.ArgumentSyntax { NameColon: not null };
        }

        IMethodSymbol method = call.TargetMethod;
        if (omitted is not null)
        {
            // Positional only when every parameter before the token has an argument in place.
            // (An extension method's receiver counts on both sides: it is an argument and parameter 0.)
            parameterName = named || omitted.Ordinal != explicitCount ? omitted.Name : null;
            return true;
        }

        // The overload has no defaults to fall back on: SaveAsync(item) with SaveAsync(item, bool overwrite = false)
        // cannot become SaveAsync(item, ct) when the overload is SaveAsync(item, bool overwrite, CancellationToken).
        if (omittedOther)
        {
            return false;
        }

        IMethodSymbol? overload = OverloadWithToken(method, token, compilation, call);
        if (overload is null)
        {
            return false;
        }

        parameterName = named ? overload.Parameters[overload.Parameters.Length - 1].Name : null;
        return true;
    }

    private static IMethodSymbol? OverloadWithToken(IMethodSymbol method, INamedTypeSymbol token, Compilation compilation, IInvocationOperation call)
    {
        IMethodSymbol original = method.OriginalDefinition;
        foreach (ISymbol member in method.ContainingType.GetMembers(method.Name))
        {
            if (member is IMethodSymbol candidate
                && candidate.IsStatic == method.IsStatic
                && candidate.Arity == method.Arity
                && candidate.Parameters.Length == original.Parameters.Length + 1
                && SymbolEqualityComparer.Default.Equals(candidate.Parameters[candidate.Parameters.Length - 1].Type, token)
                && SameParameters(original, candidate)
                && IsAccessible(candidate, compilation, call))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Whether the candidate's parameters, but its last, match the method's (a method type parameter matches by position).</summary>
    private static bool SameParameters(IMethodSymbol method, IMethodSymbol candidate)
    {
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            IParameterSymbol left = method.Parameters[i];
            IParameterSymbol right = candidate.Parameters[i];
            if (left.RefKind != right.RefKind || !SameType(left.Type, right.Type))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameType(ITypeSymbol left, ITypeSymbol right) =>
        SymbolEqualityComparer.Default.Equals(left, right)
        || (left is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method } l && right is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method } r && l.Ordinal == r.Ordinal)
        || (left is INamedTypeSymbol { IsGenericType: true } ln && right is INamedTypeSymbol { IsGenericType: true } rn
            && SymbolEqualityComparer.Default.Equals(ln.OriginalDefinition, rn.OriginalDefinition)
            && ln.TypeArguments.Length == rn.TypeArguments.Length
            && ln.TypeArguments.Zip(rn.TypeArguments, SameType).All(same => same));

    private static bool IsAccessible(IMethodSymbol candidate, Compilation compilation, IInvocationOperation call)
    {
        ISymbol? within = call.SemanticModel?.GetEnclosingSymbol(call.Syntax.SpanStart);
        return within is null || compilation.IsSymbolAccessibleWithin(candidate, within.ContainingType ?? (ISymbol)within.ContainingAssembly);
    }
}
