using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncCombinators.Analyzers;

/// <summary>Small queries on operations that several rules share.</summary>
internal static class OperationExtensions
{
    /// <summary>The operation under any implicit or explicit conversions and parentheses.</summary>
    internal static IOperation WithoutConversions(this IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>
    /// The local, parameter or field the operation reads (a field only on <c>this</c> or a static one), else null:
    /// the storage locations whose later reads and writes a rule can follow by symbol.
    /// </summary>
    internal static ISymbol? ReferencedSymbol(this IOperation operation)
    {
        switch (operation.WithoutConversions())
        {
            case ILocalReferenceOperation local:
                return local.Local;
            case IParameterReferenceOperation parameter:
                return parameter.Parameter;
            case IFieldReferenceOperation field when field.Instance is null or IInstanceReferenceOperation:
                return field.Field;
            default:
                return null;
        }
    }

    /// <summary>Whether the operation reads exactly <paramref name="symbol"/>.</summary>
    internal static bool RefersTo(this IOperation? operation, ISymbol symbol) =>
        operation is not null && SymbolEqualityComparer.Default.Equals(operation.ReferencedSymbol(), symbol);

    /// <summary>Whether the method is the static <c>Task</c> method named <paramref name="name"/>.</summary>
    internal static bool IsTaskMethod(this IMethodSymbol method, string name, INamedTypeSymbol task) =>
        method.Name == name && method.IsStatic && SymbolEqualityComparer.Default.Equals(method.ContainingType, task);

    /// <summary>
    /// The await that consumes the operation's value, seeing through a <c>ConfigureAwait</c> call on it, else null.
    /// </summary>
    internal static IAwaitOperation? ConsumingAwait(this IOperation operation)
    {
        IOperation? parent = operation.Parent;
        if (parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configureAwait && configureAwait.Instance == operation)
        {
            parent = configureAwait.Parent;
        }

        return parent as IAwaitOperation;
    }
}
