using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace AsyncCombinators.Internal;

/// <summary>Compares by reference (<c>ReferenceEqualityComparer</c>, which netstandard2.0 lacks).</summary>
internal sealed class ReferenceComparer<T> : IEqualityComparer<T>
    where T : class
{
    public static readonly ReferenceComparer<T> Instance = new();

    public bool Equals(T? x, T? y) => ReferenceEquals(x, y);

    public int GetHashCode(T obj) => RuntimeHelpers.GetHashCode(obj);
}
