using System;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>Cached results for empty inputs: completing them allocates nothing.</summary>
internal static class CompletedTasks<T>
{
    public static readonly Task<T[]> EmptyArray = Task.FromResult(Array.Empty<T>());
}
