using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

public static partial class Async
{
    /// <summary>
    /// Runs every cold operation, at most <paramref name="maxConcurrency"/> at once, and reports how each ended, in input
    /// order, whatever fails (asyncio <c>gather(..., return_exceptions=True)</c> over coroutines).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operations">The operations, started in input order. Enumerated once, at the call.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit.</param>
    /// <param name="cancellationToken">
    /// Cancels every running operation's token and starts no more; the call waits for the started ones, then throws
    /// <see cref="OperationCanceledException"/>.
    /// </param>
    /// <returns>
    /// A task with one <see cref="Outcome{T}"/> per operation, in input order; it never throws an operation's exception,
    /// and no operation's exception is left unobserved. An empty input yields an already-completed task with an empty array.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    public static Task<Outcome<T>[]> GatherOutcomes<T>(IEnumerable<Func<CancellationToken, Task<T>>> operations, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task<T>>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return items.Length == 0
            ? CompletedTasks<Outcome<T>>.EmptyArray
            : OutcomesRunner<Outcome<T>, TypedOutcomes<T>>.Run(Sources.Of(items), items.Length, maxConcurrency, null, cancellationToken);
    }

    /// <summary>
    /// Runs every cold operation, at most as many at once as <paramref name="options"/> allows, and reports how each ended, in input
    /// order, whatever fails (asyncio <c>gather(..., return_exceptions=True)</c> over coroutines).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operations">The operations, started in input order. Enumerated once, at the call.</param>
    /// <param name="options">How many may run at once and how fast they may start (see <see cref="ConcurrencyOptions"/>).</param>
    /// <param name="cancellationToken">Cancels every running operation's token and starts no more; the call waits for the started ones, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>
    /// A task with one <see cref="Outcome{T}"/> per operation, in input order; it never throws an operation's exception,
    /// and no operation's exception is left unobserved. An empty input yields an already-completed task with an empty array.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    public static Task<Outcome<T>[]> GatherOutcomes<T>(IEnumerable<Func<CancellationToken, Task<T>>> operations, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task<T>>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.Options(options, nameof(options));
        return items.Length == 0
            ? CompletedTasks<Outcome<T>>.EmptyArray
            : OutcomesRunner<Outcome<T>, TypedOutcomes<T>>.Run(Sources.Of(items), items.Length, Validate.Unbounded, options, cancellationToken);
    }

    /// <summary>
    /// Runs every untyped cold operation, at most <paramref name="maxConcurrency"/> at once, and reports how each ended, in
    /// input order, whatever fails (asyncio <c>gather(..., return_exceptions=True)</c> over coroutines).
    /// </summary>
    /// <param name="operations">The operations, started in input order. Enumerated once, at the call.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit.</param>
    /// <param name="cancellationToken">
    /// Cancels every running operation's token and starts no more; the call waits for the started ones, then throws
    /// <see cref="OperationCanceledException"/>.
    /// </param>
    /// <returns>A task with one <see cref="Outcome"/> per operation, in input order; it never throws an operation's exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    public static Task<Outcome[]> GatherOutcomes(IEnumerable<Func<CancellationToken, Task>> operations, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return items.Length == 0
            ? CompletedTasks<Outcome>.EmptyArray
            : OutcomesRunner<Outcome, UntypedOutcomes>.Run(Sources.Of(items), items.Length, maxConcurrency, null, cancellationToken);
    }

    /// <summary>
    /// Runs every untyped cold operation, at most as many at once as <paramref name="options"/> allows, and reports how each ended, in
    /// input order, whatever fails (asyncio <c>gather(..., return_exceptions=True)</c> over coroutines).
    /// </summary>
    /// <param name="operations">The operations, started in input order. Enumerated once, at the call.</param>
    /// <param name="options">How many may run at once and how fast they may start (see <see cref="ConcurrencyOptions"/>).</param>
    /// <param name="cancellationToken">Cancels every running operation's token and starts no more; the call waits for the started ones, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>A task with one <see cref="Outcome"/> per operation, in input order; it never throws an operation's exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    public static Task<Outcome[]> GatherOutcomes(IEnumerable<Func<CancellationToken, Task>> operations, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.Options(options, nameof(options));
        return items.Length == 0
            ? CompletedTasks<Outcome>.EmptyArray
            : OutcomesRunner<Outcome, UntypedOutcomes>.Run(Sources.Of(items), items.Length, Validate.Unbounded, options, cancellationToken);
    }
}
