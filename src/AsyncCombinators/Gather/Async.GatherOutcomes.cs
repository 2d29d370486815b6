using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

public static partial class Async
{
    /// <summary>
    /// Waits for every task and reports how each ended, in input order, never throwing an input's exception
    /// (asyncio <c>gather(..., return_exceptions=True)</c>).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot: already running). Enumerated once, at the call.</param>
    /// <returns>
    /// A task whose result holds one <see cref="Outcome{T}"/> per input, in input order, once every input has
    /// completed; a task passed twice appears twice. Every fault is observed. An empty input yields an
    /// already-completed task with an empty array. When every input has already completed, the call completes
    /// synchronously.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    /// <example>
    /// <code>
    /// Outcome&lt;int&gt;[] outcomes = await Async.GatherOutcomes(tasks);
    /// int failures = outcomes.Count(o => !o.IsSuccess);
    /// </code>
    /// </example>
    public static Task<Outcome<T>[]> GatherOutcomes<T>(IEnumerable<Task<T>> tasks) => GatherOutcomes(tasks, CancellationToken.None);

    /// <summary>
    /// Waits for every task and reports how each ended, in input order (asyncio <c>gather(..., return_exceptions=True)</c>);
    /// <paramref name="cancellationToken"/> cancels the waiting only.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot: already running). Enumerated once, at the call.</param>
    /// <param name="cancellationToken">
    /// Cancels the waiting: the returned task is canceled promptly (awaiting it throws
    /// <see cref="OperationCanceledException"/>); the inputs keep running and their faults are still observed, through a
    /// continuation that stays on each pending input until it completes.
    /// </param>
    /// <returns>A task whose result holds one <see cref="Outcome{T}"/> per input, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    public static Task<Outcome<T>[]> GatherOutcomes<T>(IEnumerable<Task<T>> tasks, CancellationToken cancellationToken) =>
        GatherOutcomesCore<Task<T>, Outcome<T>, TypedOutcomes<T>>(tasks, cancellationToken);

    /// <summary>
    /// Waits for every task and reports how each ended, in input order, never throwing an input's exception
    /// (asyncio <c>gather(..., return_exceptions=True)</c> over tasks without results).
    /// </summary>
    /// <param name="tasks">The tasks (hot: already running). Enumerated once, at the call.</param>
    /// <returns>A task whose result holds one <see cref="Outcome"/> per input, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    public static Task<Outcome[]> GatherOutcomes(IEnumerable<Task> tasks) => GatherOutcomes(tasks, CancellationToken.None);

    /// <summary>
    /// Waits for every task and reports how each ended, in input order (asyncio <c>gather(..., return_exceptions=True)</c>);
    /// <paramref name="cancellationToken"/> cancels the waiting only.
    /// </summary>
    /// <param name="tasks">The tasks (hot: already running). Enumerated once, at the call.</param>
    /// <param name="cancellationToken">Cancels the waiting: the returned task is canceled promptly; the inputs keep running.</param>
    /// <returns>A task whose result holds one <see cref="Outcome"/> per input, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    public static Task<Outcome[]> GatherOutcomes(IEnumerable<Task> tasks, CancellationToken cancellationToken) =>
        GatherOutcomesCore<Task, Outcome, UntypedOutcomes>(tasks, cancellationToken);

    private static Task<TOutcome[]> GatherOutcomesCore<TTask, TOutcome, TKind>(IEnumerable<TTask> tasks, CancellationToken cancellationToken)
        where TTask : Task
        where TKind : struct, IOutcomeKind<TOutcome>
    {
        // Not copied: the outcomes are made at the call, and WhenAll does not keep the inputs.
        TTask[] items = TaskCollection.ToArray(tasks, nameof(tasks), copy: false);
        if (items.Length == 0)
        {
            return CompletedTasks<TOutcome>.EmptyArray;
        }

        foreach (TTask task in items)
        {
            if (!task.IsCompleted)
            {
                return GatherOutcomesPromise<TOutcome, TKind>.Start(items, cancellationToken);
            }
        }

        return Task.FromResult(GatherOutcomesPromise<TOutcome, TKind>.Outcomes(items, read: true));
    }
}
