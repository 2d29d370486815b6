using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

public static partial class Async
{
    /// <summary>
    /// Yields the tasks as they complete, in completion order (asyncio <c>as_completed</c>, the 3.13 async-iterator form).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot). Enumerated once and validated at the call; a task passed twice is yielded once.</param>
    /// <returns>
    /// A sequence of the ORIGINAL task objects, each already completed, each distinct input once, in completion order
    /// (inputs already complete when the enumeration starts come first, in input order). A faulted or canceled input is
    /// yielded like any other: awaiting it throws, the enumeration does not. Total work is O(n): no WhenAny loop.
    /// An empty input yields nothing. Cancel with <c>.WithCancellation(token)</c>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    /// <example>
    /// <code>
    /// await foreach (Task&lt;int&gt; t in Async.AsCompleted(tasks))
    /// {
    ///     Console.WriteLine(await t);
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<Task<T>> AsCompleted<T>(IEnumerable<Task<T>> tasks) =>
        AsCompleted(tasks, null, TimeProvider.System, CancellationToken.None);

    /// <summary>Yields the tasks as they complete, until <paramref name="cancellationToken"/> is canceled (asyncio <c>as_completed</c>).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot). Enumerated once and validated at the call; a task passed twice is yielded once.</param>
    /// <param name="cancellationToken">Makes MoveNextAsync throw <see cref="OperationCanceledException"/>; the inputs keep running.</param>
    /// <returns>The original tasks, each once, in completion order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    public static IAsyncEnumerable<Task<T>> AsCompleted<T>(IEnumerable<Task<T>> tasks, CancellationToken cancellationToken) =>
        AsCompleted(tasks, null, TimeProvider.System, cancellationToken);

    /// <summary>Yields the tasks as they complete, within <paramref name="timeout"/> (asyncio <c>as_completed(tasks, timeout)</c>).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot). Enumerated once and validated at the call; a task passed twice is yielded once.</param>
    /// <param name="timeout">
    /// The limit, measured from GetAsyncEnumerator; <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/>: none.
    /// Tasks completed before the deadline are still yielded; then MoveNextAsync throws <see cref="TimeoutException"/>.
    /// </param>
    /// <returns>The original tasks, each once, in completion order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static IAsyncEnumerable<Task<T>> AsCompleted<T>(IEnumerable<Task<T>> tasks, TimeSpan? timeout) =>
        AsCompleted(tasks, timeout, TimeProvider.System, CancellationToken.None);

    /// <summary>Yields the tasks as they complete, within <paramref name="timeout"/>, until canceled (asyncio <c>as_completed(tasks, timeout)</c>).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot). Enumerated once and validated at the call; a task passed twice is yielded once.</param>
    /// <param name="timeout">The limit, measured from GetAsyncEnumerator; <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <param name="cancellationToken">Makes MoveNextAsync throw <see cref="OperationCanceledException"/>; the inputs keep running.</param>
    /// <returns>The original tasks, each once, in completion order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static IAsyncEnumerable<Task<T>> AsCompleted<T>(IEnumerable<Task<T>> tasks, TimeSpan? timeout, CancellationToken cancellationToken) =>
        AsCompleted(tasks, timeout, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Yields the tasks as they complete, within <paramref name="timeout"/> on <paramref name="timeProvider"/>'s clock, until canceled
    /// (asyncio <c>as_completed(tasks, timeout)</c>).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks (hot). Enumerated once and validated at the call; a task passed twice is yielded once.</param>
    /// <param name="timeout">
    /// The limit, measured from GetAsyncEnumerator (C# iterators are lazy; asyncio 3.13 and later measure from the call,
    /// 3.12 from the first iteration); <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/>: none. Tasks
    /// completed before the deadline are still yielded; then MoveNextAsync throws <see cref="TimeoutException"/>. Pending
    /// tasks are not cancelled.
    /// </param>
    /// <param name="timeProvider">The clock of the timeout.</param>
    /// <param name="cancellationToken">
    /// Makes MoveNextAsync throw <see cref="OperationCanceledException"/>, as does the token given to GetAsyncEnumerator
    /// (<c>WithCancellation</c>); the inputs keep running.
    /// </param>
    /// <returns>
    /// The original tasks, each already completed, each distinct input once, in completion order. Each enumeration is
    /// independent. Once an enumeration with a timeout or a cancelable token ends (all yielded, timeout, cancellation or
    /// disposal), nothing of it stays attached to the inputs, and its timer and registrations are released. Without
    /// either, on .NET 9+ the enumeration is <c>Task.WhenEach</c>, which allocates nothing per input but stays attached
    /// to pending inputs until they complete if the loop is left early.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> or <paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static IAsyncEnumerable<Task<T>> AsCompleted<T>(IEnumerable<Task<T>> tasks, TimeSpan? timeout, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        AsCompletedCore(tasks, timeout, timeProvider, WhenEachOf<T>.Instance, cancellationToken);

    /// <summary>Yields the tasks as they complete, in completion order (asyncio <c>as_completed</c>).</summary>
    /// <param name="tasks">The tasks (hot). Enumerated once and validated at the call; a task passed twice is yielded once.</param>
    /// <returns>The original tasks, each once, in completion order; faulted and canceled ones are yielded like any other.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    public static IAsyncEnumerable<Task> AsCompleted(IEnumerable<Task> tasks) =>
        AsCompleted(tasks, null, TimeProvider.System, CancellationToken.None);

    /// <summary>Yields the tasks as they complete, until <paramref name="cancellationToken"/> is canceled (asyncio <c>as_completed</c>).</summary>
    /// <param name="tasks">The tasks (hot). Enumerated once and validated at the call; a task passed twice is yielded once.</param>
    /// <param name="cancellationToken">Makes MoveNextAsync throw <see cref="OperationCanceledException"/>; the inputs keep running.</param>
    /// <returns>The original tasks, each once, in completion order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    public static IAsyncEnumerable<Task> AsCompleted(IEnumerable<Task> tasks, CancellationToken cancellationToken) =>
        AsCompleted(tasks, null, TimeProvider.System, cancellationToken);

    /// <summary>Yields the tasks as they complete, within <paramref name="timeout"/> (asyncio <c>as_completed(tasks, timeout)</c>).</summary>
    /// <param name="tasks">The tasks (hot). Enumerated once and validated at the call; a task passed twice is yielded once.</param>
    /// <param name="timeout">The limit, measured from GetAsyncEnumerator; <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <returns>The original tasks, each once, in completion order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static IAsyncEnumerable<Task> AsCompleted(IEnumerable<Task> tasks, TimeSpan? timeout) =>
        AsCompleted(tasks, timeout, TimeProvider.System, CancellationToken.None);

    /// <summary>Yields the tasks as they complete, within <paramref name="timeout"/>, until canceled (asyncio <c>as_completed(tasks, timeout)</c>).</summary>
    /// <param name="tasks">The tasks (hot). Enumerated once and validated at the call; a task passed twice is yielded once.</param>
    /// <param name="timeout">The limit, measured from GetAsyncEnumerator; <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <param name="cancellationToken">Makes MoveNextAsync throw <see cref="OperationCanceledException"/>; the inputs keep running.</param>
    /// <returns>The original tasks, each once, in completion order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static IAsyncEnumerable<Task> AsCompleted(IEnumerable<Task> tasks, TimeSpan? timeout, CancellationToken cancellationToken) =>
        AsCompleted(tasks, timeout, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Yields the tasks as they complete, within <paramref name="timeout"/> on <paramref name="timeProvider"/>'s clock, until canceled
    /// (asyncio <c>as_completed(tasks, timeout)</c>). Semantics as
    /// <see cref="AsCompleted{T}(IEnumerable{Task{T}}, TimeSpan?, TimeProvider, CancellationToken)"/>.
    /// </summary>
    /// <param name="tasks">The tasks (hot). Enumerated once and validated at the call; a task passed twice is yielded once.</param>
    /// <param name="timeout">The limit, measured from GetAsyncEnumerator; <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <param name="timeProvider">The clock of the timeout.</param>
    /// <param name="cancellationToken">Makes MoveNextAsync throw <see cref="OperationCanceledException"/>; the inputs keep running.</param>
    /// <returns>The original tasks, each once, in completion order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> or <paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tasks"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static IAsyncEnumerable<Task> AsCompleted(IEnumerable<Task> tasks, TimeSpan? timeout, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        AsCompletedCore(tasks, timeout, timeProvider, WhenEachOfTasks, cancellationToken);

#if NET9_0_OR_GREATER
    private static Func<Task[], IAsyncEnumerable<Task>>? WhenEachOfTasks { get; } = static tasks => Task.WhenEach(tasks);
#else
    private static Func<Task[], IAsyncEnumerable<Task>>? WhenEachOfTasks => null;
#endif

    private static AsCompletedEnumerable<TTask> AsCompletedCore<TTask>(IEnumerable<TTask> tasks, TimeSpan? timeout, TimeProvider timeProvider, Func<TTask[], IAsyncEnumerable<TTask>>? whenEach, CancellationToken cancellationToken)
        where TTask : Task
    {
        ThrowHelper.ThrowIfNull(tasks, nameof(tasks));
        TimeSpan limit = timeout ?? Timeout.InfiniteTimeSpan;
        ThrowHelper.ValidateTimeout(limit, nameof(timeout));
        ThrowHelper.ThrowIfNull(timeProvider, nameof(timeProvider));

        // The enumerable is kept and may be enumerated later: never hold on to the caller's own array.
        TTask[] items = TaskCollection.ToDistinctArray(tasks, nameof(tasks), copy: true);
        return new AsCompletedEnumerable<TTask>(items, limit, timeProvider, whenEach, cancellationToken);
    }

    private static class WhenEachOf<T>
    {
#if NET9_0_OR_GREATER
        public static Func<Task<T>[], IAsyncEnumerable<Task<T>>>? Instance { get; } = static tasks => Task.WhenEach(tasks);
#else
        public static Func<Task<T>[], IAsyncEnumerable<Task<T>>>? Instance => null;
#endif
    }
}
