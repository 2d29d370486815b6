using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

public static partial class Async
{
    /// <summary>
    /// Waits for every task and returns their results in input order, failing fast on the first failure
    /// (asyncio <c>gather</c>; unlike <see cref="Task.WhenAll{TResult}(IEnumerable{Task{TResult}})"/>, which waits for all).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot: already running). Enumerated once, at the call.</param>
    /// <returns>
    /// A task whose result holds each input's result in input order, whatever the completion order; a task passed
    /// twice appears twice. Fails as soon as the FIRST input, by completion time, fails: with that input's exception
    /// (its first inner exception) when it faulted, or canceled when it was canceled. Inputs already complete at the
    /// call are examined in input order. Later failures are observed, so they never reach
    /// <see cref="TaskScheduler.UnobservedTaskException"/>. Inputs are never cancelled.
    /// An empty input yields an already-completed task with an empty array.
    /// </returns>
    /// <remarks>
    /// When every input has already succeeded, the call completes synchronously and allocates only the result.
    /// After a fail-fast return, the continuation on each still-pending input stays until that input completes.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    /// <example>
    /// <code>
    /// int[] sizes = await Async.Gather(urls.Select(u => GetSizeAsync(u)));
    /// </code>
    /// </example>
    public static Task<T[]> Gather<T>(IEnumerable<Task<T>> tasks) => Gather(tasks, CancellationToken.None);

    /// <summary>
    /// Waits for every task and returns their results in input order, failing fast on the first failure
    /// (asyncio <c>gather</c>); <paramref name="cancellationToken"/> cancels the waiting only.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot: already running). Enumerated once, at the call.</param>
    /// <param name="cancellationToken">
    /// Cancels the waiting: the returned task is canceled promptly (awaiting it throws
    /// <see cref="OperationCanceledException"/>); the inputs keep running and their failures are still observed, through a
    /// continuation that stays on each pending input until it completes.
    /// </param>
    /// <returns>
    /// A task whose result holds each input's result in input order. Fails as soon as the first input by completion
    /// time fails, with that input's exception, or canceled when that input was canceled. Later failures are observed.
    /// An empty input yields an already-completed task with an empty array.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    public static Task<T[]> Gather<T>(IEnumerable<Task<T>> tasks, CancellationToken cancellationToken)
    {
        Task<T>[] items = TaskCollection.ToArray(tasks, nameof(tasks), copy: false);
        if (items.Length == 0)
        {
            return CompletedTasks<T>.EmptyArray;
        }

        var results = new T[items.Length];
        int i = 0;
        for (; i < items.Length; i++)
        {
            Task<T> task = items[i];
            if (!task.IsSucceeded())
            {
                break;
            }

            results[i] = task.Result;
        }

        if (i == items.Length)
        {
            return Task.FromResult(results);
        }

        return GatherTasksPromise<T>.Start(items, owned: !ReferenceEquals(items, tasks), i, results, cancellationToken);
    }

    /// <summary>
    /// Waits for every task, failing fast on the first failure (asyncio <c>gather</c> over tasks without results).
    /// </summary>
    /// <param name="tasks">The tasks (hot: already running). Enumerated once, at the call.</param>
    /// <returns>
    /// A task that completes when every input has succeeded. Fails as soon as the first input by completion time
    /// fails, with that input's exception, or canceled when that input was canceled; later failures are observed.
    /// An empty input yields an already-completed task.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    public static Task Gather(IEnumerable<Task> tasks) => Gather(tasks, CancellationToken.None);

    /// <summary>
    /// Waits for every task, failing fast on the first failure (asyncio <c>gather</c> over tasks without results);
    /// <paramref name="cancellationToken"/> cancels the waiting only.
    /// </summary>
    /// <param name="tasks">The tasks (hot: already running). Enumerated once, at the call.</param>
    /// <param name="cancellationToken">Cancels the waiting: the returned task is canceled promptly; the inputs keep running.</param>
    /// <returns>
    /// A task that completes when every input has succeeded, or fails as soon as the first input by completion time fails.
    /// An empty input yields an already-completed task.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    public static Task Gather(IEnumerable<Task> tasks, CancellationToken cancellationToken)
    {
        Task[] items = TaskCollection.ToArray(tasks, nameof(tasks), copy: false);
        int i = 0;
        while (i < items.Length && items[i].IsSucceeded())
        {
            i++;
        }

        if (i == items.Length)
        {
            return Task.CompletedTask;
        }

        return GatherTasksPromise<VoidResult>.Start(items, owned: !ReferenceEquals(items, tasks), i, results: null, cancellationToken);
    }

    /// <summary>Waits for two tasks of different types and returns both results (asyncio <c>a, b = await gather(a, b)</c>), failing fast.</summary>
    /// <typeparam name="T1">The first result type.</typeparam>
    /// <typeparam name="T2">The second result type.</typeparam>
    /// <param name="task1">The first task.</param>
    /// <param name="task2">The second task.</param>
    /// <returns>A task whose result is the tuple of results; it fails as soon as either input fails, as <see cref="Gather(IEnumerable{Task})"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <example><code>var (user, count) = await Async.Gather(GetUserAsync(id), CountOrdersAsync(id));</code></example>
    public static Task<(T1, T2)> Gather<T1, T2>(Task<T1> task1, Task<T2> task2)
    {
        ThrowHelper.ThrowIfNull(task1, nameof(task1));
        ThrowHelper.ThrowIfNull(task2, nameof(task2));
        return Core(Gather(new Task[] { task1, task2 }), task1, task2);

        static async Task<(T1, T2)> Core(Task all, Task<T1> task1, Task<T2> task2)
        {
            await all.ConfigureAwait(false);
            return (task1.Result, task2.Result);
        }
    }

    /// <summary>Waits for three tasks of different types and returns the results (asyncio <c>gather</c>), failing fast.</summary>
    /// <typeparam name="T1">The first result type.</typeparam>
    /// <typeparam name="T2">The second result type.</typeparam>
    /// <typeparam name="T3">The third result type.</typeparam>
    /// <param name="task1">The first task.</param>
    /// <param name="task2">The second task.</param>
    /// <param name="task3">The third task.</param>
    /// <returns>A task whose result is the tuple of results; it fails as soon as any input fails, as <see cref="Gather(IEnumerable{Task})"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Task<(T1, T2, T3)> Gather<T1, T2, T3>(Task<T1> task1, Task<T2> task2, Task<T3> task3)
    {
        ThrowHelper.ThrowIfNull(task1, nameof(task1));
        ThrowHelper.ThrowIfNull(task2, nameof(task2));
        ThrowHelper.ThrowIfNull(task3, nameof(task3));
        return Core(Gather(new Task[] { task1, task2, task3 }), task1, task2, task3);

        static async Task<(T1, T2, T3)> Core(Task all, Task<T1> task1, Task<T2> task2, Task<T3> task3)
        {
            await all.ConfigureAwait(false);
            return (task1.Result, task2.Result, task3.Result);
        }
    }

    /// <summary>Waits for four tasks of different types and returns the results (asyncio <c>gather</c>), failing fast.</summary>
    /// <typeparam name="T1">The first result type.</typeparam>
    /// <typeparam name="T2">The second result type.</typeparam>
    /// <typeparam name="T3">The third result type.</typeparam>
    /// <typeparam name="T4">The fourth result type.</typeparam>
    /// <param name="task1">The first task.</param>
    /// <param name="task2">The second task.</param>
    /// <param name="task3">The third task.</param>
    /// <param name="task4">The fourth task.</param>
    /// <returns>A task whose result is the tuple of results; it fails as soon as any input fails, as <see cref="Gather(IEnumerable{Task})"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Task<(T1, T2, T3, T4)> Gather<T1, T2, T3, T4>(Task<T1> task1, Task<T2> task2, Task<T3> task3, Task<T4> task4)
    {
        ThrowHelper.ThrowIfNull(task1, nameof(task1));
        ThrowHelper.ThrowIfNull(task2, nameof(task2));
        ThrowHelper.ThrowIfNull(task3, nameof(task3));
        ThrowHelper.ThrowIfNull(task4, nameof(task4));
        return Core(Gather(new Task[] { task1, task2, task3, task4 }), task1, task2, task3, task4);

        static async Task<(T1, T2, T3, T4)> Core(Task all, Task<T1> task1, Task<T2> task2, Task<T3> task3, Task<T4> task4)
        {
            await all.ConfigureAwait(false);
            return (task1.Result, task2.Result, task3.Result, task4.Result);
        }
    }

    /// <summary>Waits for five tasks of different types and returns the results (asyncio <c>gather</c>), failing fast.</summary>
    /// <typeparam name="T1">The first result type.</typeparam>
    /// <typeparam name="T2">The second result type.</typeparam>
    /// <typeparam name="T3">The third result type.</typeparam>
    /// <typeparam name="T4">The fourth result type.</typeparam>
    /// <typeparam name="T5">The fifth result type.</typeparam>
    /// <param name="task1">The first task.</param>
    /// <param name="task2">The second task.</param>
    /// <param name="task3">The third task.</param>
    /// <param name="task4">The fourth task.</param>
    /// <param name="task5">The fifth task.</param>
    /// <returns>A task whose result is the tuple of results; it fails as soon as any input fails, as <see cref="Gather(IEnumerable{Task})"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Task<(T1, T2, T3, T4, T5)> Gather<T1, T2, T3, T4, T5>(Task<T1> task1, Task<T2> task2, Task<T3> task3, Task<T4> task4, Task<T5> task5)
    {
        ThrowHelper.ThrowIfNull(task1, nameof(task1));
        ThrowHelper.ThrowIfNull(task2, nameof(task2));
        ThrowHelper.ThrowIfNull(task3, nameof(task3));
        ThrowHelper.ThrowIfNull(task4, nameof(task4));
        ThrowHelper.ThrowIfNull(task5, nameof(task5));
        return Core(Gather(new Task[] { task1, task2, task3, task4, task5 }), task1, task2, task3, task4, task5);

        static async Task<(T1, T2, T3, T4, T5)> Core(Task all, Task<T1> task1, Task<T2> task2, Task<T3> task3, Task<T4> task4, Task<T5> task5)
        {
            await all.ConfigureAwait(false);
            return (task1.Result, task2.Result, task3.Result, task4.Result, task5.Result);
        }
    }
}
