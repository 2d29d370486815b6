using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

public static partial class Async
{
    /// <summary>Waits until every task has completed (asyncio <c>wait(tasks)</c>, <c>ALL_COMPLETED</c>), never throwing an input's exception.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot). Enumerated once, at the call; a task passed twice counts once.</param>
    /// <returns>A task whose result has every distinct input in <see cref="WaitResult{TTask}.Done"/> and none pending.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> is empty or contains a <see langword="null"/> element.</exception>
    public static Task<WaitResult<Task<T>>> Wait<T>(IEnumerable<Task<T>> tasks) =>
        Wait(tasks, ReturnWhen.AllCompleted, Timeout.InfiniteTimeSpan, TimeProvider.System, CancellationToken.None);

    /// <summary>Waits until the <paramref name="returnWhen"/> condition holds (asyncio <c>wait(tasks, return_when=...)</c>), never throwing an input's exception.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot). Enumerated once, at the call; a task passed twice counts once.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <returns>A task whose result partitions the distinct inputs into those completed at the moment of return and the others.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> is empty or contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined value.</exception>
    public static Task<WaitResult<Task<T>>> Wait<T>(IEnumerable<Task<T>> tasks, ReturnWhen returnWhen) =>
        Wait(tasks, returnWhen, Timeout.InfiniteTimeSpan, TimeProvider.System, CancellationToken.None);

    /// <summary>Waits until the <paramref name="returnWhen"/> condition holds or the wait is canceled (asyncio <c>wait</c>).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot). Enumerated once, at the call; a task passed twice counts once.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <param name="cancellationToken">Cancels the waiting (awaiting throws <see cref="OperationCanceledException"/>); the inputs keep running.</param>
    /// <returns>A task whose result partitions the distinct inputs into those completed at the moment of return and the others.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> is empty or contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined value.</exception>
    public static Task<WaitResult<Task<T>>> Wait<T>(IEnumerable<Task<T>> tasks, ReturnWhen returnWhen, CancellationToken cancellationToken) =>
        Wait(tasks, returnWhen, Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);

    /// <summary>Waits until the <paramref name="returnWhen"/> condition holds or the timeout passes (asyncio <c>wait(tasks, timeout, return_when)</c>).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot). Enumerated once, at the call; a task passed twice counts once.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <param name="timeout">
    /// How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits without limit, <see cref="TimeSpan.Zero"/> returns at once
    /// with whatever is already complete. A timeout never throws: Wait returns with <see cref="WaitResult{TTask}.Pending"/> non-empty.
    /// </param>
    /// <returns>A task whose result partitions the distinct inputs into those completed at the moment of return and the others.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> is empty or contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined value, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task<WaitResult<Task<T>>> Wait<T>(IEnumerable<Task<T>> tasks, ReturnWhen returnWhen, TimeSpan timeout) =>
        Wait(tasks, returnWhen, timeout, TimeProvider.System, CancellationToken.None);

    /// <summary>Waits until the <paramref name="returnWhen"/> condition holds, the timeout passes or the wait is canceled (asyncio <c>wait</c>).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot). Enumerated once, at the call; a task passed twice counts once.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits without limit. A timeout never throws.</param>
    /// <param name="cancellationToken">Cancels the waiting (awaiting throws <see cref="OperationCanceledException"/>); the inputs keep running.</param>
    /// <returns>A task whose result partitions the distinct inputs into those completed at the moment of return and the others.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> is empty or contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined value, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task<WaitResult<Task<T>>> Wait<T>(IEnumerable<Task<T>> tasks, ReturnWhen returnWhen, TimeSpan timeout, CancellationToken cancellationToken) =>
        Wait(tasks, returnWhen, timeout, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Waits until the <paramref name="returnWhen"/> condition holds, the timeout passes on <paramref name="timeProvider"/>'s clock,
    /// or the wait is canceled (asyncio <c>wait(tasks, timeout, return_when)</c>).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot). Enumerated once, at the call; a task passed twice counts once.</param>
    /// <param name="returnWhen">
    /// <see cref="ReturnWhen.AllCompleted"/>: when every input has completed. <see cref="ReturnWhen.FirstCompleted"/>: when any
    /// has. <see cref="ReturnWhen.FirstException"/>: when any input faults (a canceled input does not count), else as AllCompleted.
    /// </param>
    /// <param name="timeout">
    /// How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits without limit, <see cref="TimeSpan.Zero"/> returns at once
    /// with whatever is already complete. A timeout never throws: Wait returns with <see cref="WaitResult{TTask}.Pending"/> non-empty.
    /// </param>
    /// <param name="timeProvider">The clock of the timeout.</param>
    /// <param name="cancellationToken">Cancels the waiting (awaiting throws <see cref="OperationCanceledException"/>); the inputs keep running.</param>
    /// <returns>
    /// A task whose result partitions the distinct inputs, each in input order, into <see cref="WaitResult{TTask}.Done"/> (every input
    /// completed at the moment of return) and <see cref="WaitResult{TTask}.Pending"/>. It never faults with an input's exception and
    /// never cancels an input. When the condition already holds at the call, it completes synchronously. Once it has completed,
    /// nothing of it stays attached to the inputs, and its timer and registration are released.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> or <paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> is empty (asyncio <c>ValueError</c>) or contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined value, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    /// <example>
    /// <code>
    /// var (done, pending) = await Async.Wait(tasks, ReturnWhen.FirstException, TimeSpan.FromSeconds(1));
    /// </code>
    /// </example>
    public static Task<WaitResult<Task<T>>> Wait<T>(IEnumerable<Task<T>> tasks, ReturnWhen returnWhen, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        WaitCore(tasks, returnWhen, timeout, timeProvider, cancellationToken);

    /// <summary>Waits until every task has completed (asyncio <c>wait(tasks)</c>), never throwing an input's exception.</summary>
    /// <param name="tasks">The tasks (hot). Enumerated once, at the call; a task passed twice counts once.</param>
    /// <returns>A task whose result has every distinct input in <see cref="WaitResult{TTask}.Done"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> is empty or contains a <see langword="null"/> element.</exception>
    public static Task<WaitResult<Task>> Wait(IEnumerable<Task> tasks) =>
        Wait(tasks, ReturnWhen.AllCompleted, Timeout.InfiniteTimeSpan, TimeProvider.System, CancellationToken.None);

    /// <summary>Waits until the <paramref name="returnWhen"/> condition holds (asyncio <c>wait(tasks, return_when=...)</c>).</summary>
    /// <param name="tasks">The tasks (hot). Enumerated once, at the call; a task passed twice counts once.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <returns>A task whose result partitions the distinct inputs into those completed at the moment of return and the others.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> is empty or contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined value.</exception>
    public static Task<WaitResult<Task>> Wait(IEnumerable<Task> tasks, ReturnWhen returnWhen) =>
        Wait(tasks, returnWhen, Timeout.InfiniteTimeSpan, TimeProvider.System, CancellationToken.None);

    /// <summary>Waits until the <paramref name="returnWhen"/> condition holds or the wait is canceled (asyncio <c>wait</c>).</summary>
    /// <param name="tasks">The tasks (hot). Enumerated once, at the call; a task passed twice counts once.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <param name="cancellationToken">Cancels the waiting (awaiting throws <see cref="OperationCanceledException"/>); the inputs keep running.</param>
    /// <returns>A task whose result partitions the distinct inputs into those completed at the moment of return and the others.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> is empty or contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined value.</exception>
    public static Task<WaitResult<Task>> Wait(IEnumerable<Task> tasks, ReturnWhen returnWhen, CancellationToken cancellationToken) =>
        Wait(tasks, returnWhen, Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);

    /// <summary>Waits until the <paramref name="returnWhen"/> condition holds or the timeout passes (asyncio <c>wait</c>). A timeout never throws.</summary>
    /// <param name="tasks">The tasks (hot). Enumerated once, at the call; a task passed twice counts once.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits without limit.</param>
    /// <returns>A task whose result partitions the distinct inputs into those completed at the moment of return and the others.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> is empty or contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined value, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task<WaitResult<Task>> Wait(IEnumerable<Task> tasks, ReturnWhen returnWhen, TimeSpan timeout) =>
        Wait(tasks, returnWhen, timeout, TimeProvider.System, CancellationToken.None);

    /// <summary>Waits until the <paramref name="returnWhen"/> condition holds, the timeout passes or the wait is canceled (asyncio <c>wait</c>).</summary>
    /// <param name="tasks">The tasks (hot). Enumerated once, at the call; a task passed twice counts once.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits without limit. A timeout never throws.</param>
    /// <param name="cancellationToken">Cancels the waiting (awaiting throws <see cref="OperationCanceledException"/>); the inputs keep running.</param>
    /// <returns>A task whose result partitions the distinct inputs into those completed at the moment of return and the others.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> is empty or contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined value, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task<WaitResult<Task>> Wait(IEnumerable<Task> tasks, ReturnWhen returnWhen, TimeSpan timeout, CancellationToken cancellationToken) =>
        Wait(tasks, returnWhen, timeout, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Waits until the <paramref name="returnWhen"/> condition holds, the timeout passes on <paramref name="timeProvider"/>'s clock,
    /// or the wait is canceled (asyncio <c>wait(tasks, timeout, return_when)</c>). Semantics as
    /// <see cref="Wait{T}(IEnumerable{Task{T}}, ReturnWhen, TimeSpan, TimeProvider, CancellationToken)"/>.
    /// </summary>
    /// <param name="tasks">The tasks (hot). Enumerated once, at the call; a task passed twice counts once.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits without limit. A timeout never throws.</param>
    /// <param name="timeProvider">The clock of the timeout.</param>
    /// <param name="cancellationToken">Cancels the waiting (awaiting throws <see cref="OperationCanceledException"/>); the inputs keep running.</param>
    /// <returns>A task whose result partitions the distinct inputs into those completed at the moment of return and the others.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> or <paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> is empty or contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined value, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task<WaitResult<Task>> Wait(IEnumerable<Task> tasks, ReturnWhen returnWhen, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        WaitCore(tasks, returnWhen, timeout, timeProvider, cancellationToken);

    private static Task<WaitResult<TTask>> WaitCore<TTask>(IEnumerable<TTask> tasks, ReturnWhen returnWhen, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
        where TTask : Task
    {
        ThrowHelper.ThrowIfNull(tasks, nameof(tasks));
        if ((uint)returnWhen > (uint)ReturnWhen.FirstException)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(returnWhen), returnWhen, "The value is not a defined ReturnWhen.");
        }

        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        ThrowHelper.ThrowIfNull(timeProvider, nameof(timeProvider));
        TTask[] items = TaskCollection.ToDistinctArray(tasks, nameof(tasks), copy: false);
        if (items.Length == 0)
        {
            ThrowHelper.ThrowEmpty(nameof(tasks));
        }

        int completed = 0;
        bool faulted = false;
        foreach (TTask task in items)
        {
            if (task.IsCompleted)
            {
                completed++;
                faulted |= task.IsFaulted;
            }
        }

        // The result is split in place from an array of Wait's own: never the caller's array, which is enumerated once,
        // at the call, and never written to.
        TTask[] owned = ReferenceEquals(items, tasks) ? TaskCollection.Copy(items) : items;
        if (completed == owned.Length)
        {
            // Every condition holds: all done, nothing pending.
            return Task.FromResult(WaitPromise<TTask>.AllDone(owned));
        }

        bool conditionHolds = (returnWhen == ReturnWhen.FirstCompleted && completed != 0)
            || (returnWhen == ReturnWhen.FirstException && faulted);
        if (conditionHolds || timeout == TimeSpan.Zero)
        {
            return Task.FromResult(WaitPromise<TTask>.Split(owned, doneInPlace: completed * 2 >= owned.Length));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<WaitResult<TTask>>(cancellationToken);
        }

        return WaitPromise<TTask>.Start(owned, returnWhen, timeout, timeProvider, cancellationToken);
    }
}
