using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

public static partial class Async
{
    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most <paramref name="maxConcurrency"/>
    /// at once, and reports how each ended, in source order, whatever fails (asyncio <c>gather(..., return_exceptions=True)</c>).
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="source">The items, read lazily (one per start, never ahead of the bound) and disposed before the call completes. Null items are handed to the selector.</param>
    /// <param name="selector">Starts the operation for one item with a token the call can cancel; called in source order.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit.</param>
    /// <param name="cancellationToken">
    /// Cancels every running operation's token and starts no more; the call waits for the started ones, then throws
    /// <see cref="OperationCanceledException"/>.
    /// </param>
    /// <returns>
    /// A task with one outcome per item, in source order; it never throws an operation's exception. If the source itself
    /// fails, nothing more starts, the call waits for the started operations, then throws the source's exception.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    public static Task<Outcome<TResult>[]> GatherOutcomes<TSource, TResult>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return OutcomesRunner<Outcome<TResult>, TypedOutcomes<TResult>>.Run(Sources.Of(source, selector), Sources.CapacityOf(source), maxConcurrency, null, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most <paramref name="options"/>
    /// at once, and reports how each ended, in source order, whatever fails (asyncio <c>gather(..., return_exceptions=True)</c>).
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="source">The items, read lazily (one per start, never ahead of the bound) and disposed before the call completes. Null items are handed to the selector.</param>
    /// <param name="selector">Starts the operation for one item with a token the call can cancel; called in source order.</param>
    /// <param name="options">How many may run at once and how fast they may start (see <see cref="ConcurrencyOptions"/>).</param>
    /// <param name="cancellationToken">Cancels every running operation's token and starts no more; the call waits for the started ones, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>
    /// A task with one outcome per item, in source order; it never throws an operation's exception. If the source itself
    /// fails, nothing more starts, the call waits for the started operations, then throws the source's exception.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="selector"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    public static Task<Outcome<TResult>[]> GatherOutcomes<TSource, TResult>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        return OutcomesRunner<Outcome<TResult>, TypedOutcomes<TResult>>.Run(Sources.Of(source, selector), Sources.CapacityOf(source), Validate.Unbounded, options, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most <paramref name="maxConcurrency"/>
    /// at once, and reports how each ended, in source order, whatever fails (asyncio <c>gather(..., return_exceptions=True)</c>).
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <param name="source">The items, read lazily (one per start, never ahead of the bound) and disposed before the call completes. Null items are handed to the selector.</param>
    /// <param name="selector">Starts the operation for one item with a token the call can cancel; called in source order.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit.</param>
    /// <param name="cancellationToken">Cancels every running operation's token and starts no more; the call waits for the started ones, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>
    /// A task with one outcome per item, in source order; it never throws an operation's exception. If the source itself
    /// fails, nothing more starts, the call waits for the started operations, then throws the source's exception.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    public static Task<Outcome[]> GatherOutcomes<TSource>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return OutcomesRunner<Outcome, UntypedOutcomes>.Run(Sources.Of(source, selector), Sources.CapacityOf(source), maxConcurrency, null, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most <paramref name="options"/>
    /// at once, and reports how each ended, in source order, whatever fails (asyncio <c>gather(..., return_exceptions=True)</c>).
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <param name="source">The items, read lazily (one per start, never ahead of the bound) and disposed before the call completes. Null items are handed to the selector.</param>
    /// <param name="selector">Starts the operation for one item with a token the call can cancel; called in source order.</param>
    /// <param name="options">How many may run at once and how fast they may start (see <see cref="ConcurrencyOptions"/>).</param>
    /// <param name="cancellationToken">Cancels every running operation's token and starts no more; the call waits for the started ones, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>
    /// A task with one outcome per item, in source order; it never throws an operation's exception. If the source itself
    /// fails, nothing more starts, the call waits for the started operations, then throws the source's exception.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="selector"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    public static Task<Outcome[]> GatherOutcomes<TSource>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        return OutcomesRunner<Outcome, UntypedOutcomes>.Run(Sources.Of(source, selector), Sources.CapacityOf(source), Validate.Unbounded, options, cancellationToken);
    }

    /// <inheritdoc cref="GatherOutcomes{TSource, TResult}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task{TResult}}, int, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static Task<Outcome<TResult>[]> GatherOutcomes<TSource, TResult>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return OutcomesRunner<Outcome<TResult>, TypedOutcomes<TResult>>.Run(Sources.Of(source, selector), 0, maxConcurrency, null, cancellationToken);
    }

    /// <inheritdoc cref="GatherOutcomes{TSource, TResult}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task{TResult}}, ConcurrencyOptions, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static Task<Outcome<TResult>[]> GatherOutcomes<TSource, TResult>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        return OutcomesRunner<Outcome<TResult>, TypedOutcomes<TResult>>.Run(Sources.Of(source, selector), 0, Validate.Unbounded, options, cancellationToken);
    }

    /// <inheritdoc cref="GatherOutcomes{TSource}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task}, int, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static Task<Outcome[]> GatherOutcomes<TSource>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return OutcomesRunner<Outcome, UntypedOutcomes>.Run(Sources.Of(source, selector), 0, maxConcurrency, null, cancellationToken);
    }

    /// <inheritdoc cref="GatherOutcomes{TSource}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task}, ConcurrencyOptions, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static Task<Outcome[]> GatherOutcomes<TSource>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        return OutcomesRunner<Outcome, UntypedOutcomes>.Run(Sources.Of(source, selector), 0, Validate.Unbounded, options, cancellationToken);
    }
}
