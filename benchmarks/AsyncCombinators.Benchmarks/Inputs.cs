using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Benchmarks;

/// <summary>Inputs shared by the benchmarks, made the same way for the BCL twin and for us.</summary>
internal static class Inputs
{
    public static Task<int>[] Completed(int n)
    {
        var tasks = new Task<int>[n];
        for (int i = 0; i < n; i++)
        {
            tasks[i] = Task.FromResult(i);
        }

        return tasks;
    }

    /// <summary>Creates <paramref name="n"/> pending inputs, calls the combinator, completes them in order, and awaits its result.</summary>
    public static async Task<TResult> RunPending<TResult>(int n, Func<Task<int>[], Task<TResult>> combinator)
    {
        var sources = new TaskCompletionSource<int>[n];
        var tasks = new Task<int>[n];
        for (int i = 0; i < n; i++)
        {
            sources[i] = new TaskCompletionSource<int>();
            tasks[i] = sources[i].Task;
        }

        Task<TResult> result = combinator(tasks);
        for (int i = 0; i < n; i++)
        {
            sources[i].SetResult(i);
        }

        return await result.ConfigureAwait(false);
    }

    public static (TaskCompletionSource<int>[] Sources, Task<int>[] Tasks) Pending(int n)
    {
        var sources = new TaskCompletionSource<int>[n];
        var tasks = new Task<int>[n];
        for (int i = 0; i < n; i++)
        {
            sources[i] = new TaskCompletionSource<int>();
            tasks[i] = sources[i].Task;
        }

        return (sources, tasks);
    }

    public static void CompleteAll(IReadOnlyList<TaskCompletionSource<int>> sources)
    {
        for (int i = 0; i < sources.Count; i++)
        {
            sources[i].SetResult(i);
        }
    }

    /// <summary>The item counts of the selector benchmarks: the full size, or a small one in the quick mode, which only proves the code runs.</summary>
    public static IEnumerable<int> ItemCounts(int full) => [Program.Quick ? 1000 : full];

    public static int[] Items(int n)
    {
        var items = new int[n];
        for (int i = 0; i < n; i++)
        {
            items[i] = i;
        }

        return items;
    }

    /// <summary>
    /// The step every selector benchmark runs per item: it always completes asynchronously (the continuation goes to
    /// the thread pool), deterministically and cheaply, so the rows measure the combinator's bookkeeping around a real
    /// asynchronous completion rather than a synchronous fast path.
    /// </summary>
    public static async Task<int> YieldThenReturn(int item, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return item;
    }
}
