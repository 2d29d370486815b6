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
    /// at once, and returns the results in source order; the first failure cancels the rest (aiometer's <c>run_all</c>,
    /// p-map, asyncio <c>gather</c> over a generator of coroutines; <c>Parallel.ForEachAsync</c> with results).
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="source">The items, read lazily (one per start, never ahead of the bound) and disposed before the call completes. Null items are handed to the selector.</param>
    /// <param name="selector">Starts the operation for one item with a token the call can cancel; called in source order.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit.</param>
    /// <param name="cancellationToken">
    /// Cancels every running operation's token and starts no more; Gather waits for the started ones, then throws
    /// <see cref="OperationCanceledException"/>. Already canceled: nothing starts.
    /// </param>
    /// <returns>
    /// A task with every result in source order. Operations start in source order. On the first failure (a selector's
    /// fault, synchronous throw, or cancellation Gather did not cause, or the source failing) every running operation's
    /// token is cancelled, nothing more starts, Gather waits for the started ones, then fails with that exception; its
    /// <see cref="Task.Exception"/> holds every failure except the cancellations Gather caused itself. When the task
    /// completes, nothing it started is still running, the source is disposed, and every exception was observed. An
    /// empty source yields an empty array.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    /// <example>
    /// <code>
    /// string[] pages = await Async.Gather(urls, (url, ct) =&gt; http.GetStringAsync(url, ct), maxConcurrency: 8, cancellationToken: ct);
    /// </code>
    /// </example>
    public static Task<TResult[]> Gather<TSource, TResult>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return GatherRunner<TResult>.Run(Sources.Of(source, selector), Sources.CapacityOf(source), maxConcurrency, null, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most <paramref name="options"/>
    /// at once, and returns the results in source order; the first failure cancels the rest (aiometer's <c>run_all</c>,
    /// p-map, asyncio <c>gather</c> over a generator of coroutines; <c>Parallel.ForEachAsync</c> with results).
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="source">The items, read lazily (one per start, never ahead of the bound) and disposed before the call completes. Null items are handed to the selector.</param>
    /// <param name="selector">Starts the operation for one item with a token the call can cancel; called in source order.</param>
    /// <param name="options">How many may run at once and how fast they may start (see <see cref="ConcurrencyOptions"/>).</param>
    /// <param name="cancellationToken">Cancels every running operation's token and starts no more; Gather waits for the started ones, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>
    /// A task with every result in source order. Operations start in source order. On the first failure (a selector's
    /// fault, synchronous throw, or cancellation Gather did not cause, or the source failing) every running operation's
    /// token is cancelled, nothing more starts, Gather waits for the started ones, then fails with that exception; its
    /// <see cref="Task.Exception"/> holds every failure except the cancellations Gather caused itself. When the task
    /// completes, nothing it started is still running, the source is disposed, and every exception was observed. An
    /// empty source yields an empty array.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="selector"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <example>
    /// <code>
    /// string[] pages = await Async.Gather(urls, (url, ct) =&gt; http.GetStringAsync(url, ct), maxConcurrency: 8, cancellationToken: ct);
    /// </code>
    /// </example>
    public static Task<TResult[]> Gather<TSource, TResult>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        return GatherRunner<TResult>.Run(Sources.Of(source, selector), Sources.CapacityOf(source), Validate.Unbounded, options, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most as many at once as allowed, until
    /// all succeed; the first failure cancels the rest (aiometer's <c>run_all</c>, <c>Parallel.ForEachAsync</c>).
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <param name="source">The items, read lazily (one per start, never ahead of the bound) and disposed before the call completes. Null items are handed to the selector.</param>
    /// <param name="selector">Starts the operation for one item with a token the call can cancel; called in source order.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit.</param>
    /// <param name="cancellationToken">Cancels every running operation's token and starts no more; Gather waits for the started ones, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>
    /// A task that completes when every operation has succeeded; failures, cancellation and the source as for the typed
    /// form: the first failure cancels the running operations and the task fails with it once they have finished.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    /// <example>
    /// <code>
    /// await Async.Gather(files, (file, ct) => UploadAsync(file, ct), maxConcurrency: 4, cancellationToken: ct);
    /// </code>
    /// </example>
    public static Task Gather<TSource>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return GatherRunner<VoidResult>.Run(Sources.Of(source, selector), 0, maxConcurrency, null, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most as many at once as allowed, until
    /// all succeed; the first failure cancels the rest (aiometer's <c>run_all</c>, <c>Parallel.ForEachAsync</c>).
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <param name="source">The items, read lazily (one per start, never ahead of the bound) and disposed before the call completes. Null items are handed to the selector.</param>
    /// <param name="selector">Starts the operation for one item with a token the call can cancel; called in source order.</param>
    /// <param name="options">How many may run at once and how fast they may start (see <see cref="ConcurrencyOptions"/>).</param>
    /// <param name="cancellationToken">Cancels every running operation's token and starts no more; Gather waits for the started ones, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>
    /// A task that completes when every operation has succeeded; failures, cancellation and the source as for the typed
    /// form: the first failure cancels the running operations and the task fails with it once they have finished.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="selector"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <example>
    /// <code>
    /// await Async.Gather(files, (file, ct) => UploadAsync(file, ct), maxConcurrency: 4, cancellationToken: ct);
    /// </code>
    /// </example>
    public static Task Gather<TSource>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        return GatherRunner<VoidResult>.Run(Sources.Of(source, selector), 0, Validate.Unbounded, options, cancellationToken);
    }

    /// <inheritdoc cref="Gather{TSource, TResult}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task{TResult}}, int, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static Task<TResult[]> Gather<TSource, TResult>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return GatherRunner<TResult>.Run(Sources.Of(source, selector), 0, maxConcurrency, null, cancellationToken);
    }

    /// <inheritdoc cref="Gather{TSource, TResult}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task{TResult}}, ConcurrencyOptions, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static Task<TResult[]> Gather<TSource, TResult>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        return GatherRunner<TResult>.Run(Sources.Of(source, selector), 0, Validate.Unbounded, options, cancellationToken);
    }

    /// <inheritdoc cref="Gather{TSource}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task}, int, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static Task Gather<TSource>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return GatherRunner<VoidResult>.Run(Sources.Of(source, selector), 0, maxConcurrency, null, cancellationToken);
    }

    /// <inheritdoc cref="Gather{TSource}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task}, ConcurrencyOptions, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static Task Gather<TSource>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        return GatherRunner<VoidResult>.Run(Sources.Of(source, selector), 0, Validate.Unbounded, options, cancellationToken);
    }
}
