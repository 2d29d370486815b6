using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

public static partial class Async
{
    /// <summary>
    /// Races cold operations and returns the value of the first to SUCCEED, cancelling the others (asyncio
    /// <c>staggered.staggered_race</c>; JavaScript <c>Promise.any</c>; request hedging; happy eyeballs).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operations">The operations, started in input order. Enumerated once, at the call.</param>
    /// <param name="staggerDelay">
    /// Omitted (<see langword="null"/>): every operation starts at once. Otherwise operation i+1 starts when this delay has
    /// passed since operation i started, or as soon as operation i fails, whichever is first; <see cref="Timeout.InfiniteTimeSpan"/>:
    /// strictly one after another, the next only when the previous fails (asyncio <c>staggered_race(delay=None)</c>);
    /// <see cref="TimeSpan.Zero"/>: one after another at once, which is all at once (asyncio <c>staggered_race(delay=0)</c>).
    /// </param>
    /// <param name="cancellationToken">Cancels every running operation; the call waits for them, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>
    /// A task with the winner's value, once every other running operation has been cancelled and has finished. Operations not
    /// yet started are never started. If every operation fails, awaiting throws an <see cref="AggregateException"/> whose
    /// InnerExceptions are the failures in input order (an operation that ends canceled by itself counts as a failure).
    /// </returns>
    /// <remarks>
    /// The first success wins and stays the winner: a cancelled loser that returns a value anyway, after the winner, is
    /// dropped (CPython 3.12's <c>staggered_race</c> raises an AssertionError there). Operations start where the caller runs
    /// (its synchronization context or task scheduler), including those the stagger timer starts.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> is empty or contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="staggerDelay"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    /// <example>
    /// <code>
    /// // Ask the primary; if it has not answered within 200 ms (or failed), ask a replica too; first answer wins.
    /// Func&lt;CancellationToken, Task&lt;byte[]&gt;&gt;[] replicas = { ct =&gt; Primary(ct), ct =&gt; Replica(ct) };
    /// byte[] data = await Async.FirstSuccessful(replicas, staggerDelay: TimeSpan.FromMilliseconds(200));
    /// </code>
    /// </example>
    public static Task<T> FirstSuccessful<T>(IEnumerable<Func<CancellationToken, Task<T>>> operations, TimeSpan? staggerDelay = null, CancellationToken cancellationToken = default) =>
        FirstSuccessful(operations, staggerDelay, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Races cold operations and returns the value of the first to succeed, cancelling the others; the stagger timer runs on
    /// <paramref name="timeProvider"/>'s clock (asyncio <c>staggered.staggered_race</c>). Semantics as
    /// <see cref="FirstSuccessful{T}(IEnumerable{Func{CancellationToken, Task{T}}}, TimeSpan?, CancellationToken)"/>.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operations">The operations, started in input order. Enumerated once, at the call.</param>
    /// <param name="staggerDelay">Omitted: all at once; otherwise the delay between starts; <see cref="Timeout.InfiniteTimeSpan"/>: one after another.</param>
    /// <param name="timeProvider">The clock of the stagger timer.</param>
    /// <param name="cancellationToken">Cancels every running operation; the call waits for them, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>A task with the winner's value; an <see cref="AggregateException"/> of every failure, in input order, when all fail.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> or <paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> is empty or contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="staggerDelay"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task<T> FirstSuccessful<T>(IEnumerable<Func<CancellationToken, Task<T>>> operations, TimeSpan? staggerDelay, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task<T>>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        if (staggerDelay is not null)
        {
            ThrowHelper.ValidateTimeout(staggerDelay.Value, nameof(staggerDelay));
        }

        ThrowHelper.ThrowIfNull(timeProvider, nameof(timeProvider));
        if (items.Length == 0)
        {
            ThrowHelper.ThrowEmpty(nameof(operations));
        }

        return FirstSuccessfulRunner<T>.Run(items, staggerDelay, timeProvider, cancellationToken);
    }
}
