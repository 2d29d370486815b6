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
    /// at once, and streams the results with back-pressure: in source order (p-map's <c>pMapIterable</c>) or, with
    /// <paramref name="ordered"/> <see langword="false"/>, in completion order (aiometer's <c>amap</c>).
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="source">The items, read lazily (one per start, never ahead of the bound); each enumeration reads it afresh and disposes it before it ends.</param>
    /// <param name="selector">Starts the operation for one item with a token Map can cancel; called in source order, on the caller's context.</param>
    /// <param name="maxConcurrency">
    /// How many items may hold a slot at once: an item holds one from the moment its selector starts until its result has
    /// been handed to the consumer. So at most this many selectors run and at most this many results are held; a slow
    /// consumer slows the source, and an endless source runs in constant memory.
    /// </param>
    /// <param name="ordered"><see langword="true"/> (the default): results in source order; <see langword="false"/>: in completion order.</param>
    /// <param name="cancellationToken">
    /// Acts as a failure: nothing more starts, the running selectors are cancelled and awaited, then MoveNextAsync throws
    /// <see cref="OperationCanceledException"/> (as does the token given to GetAsyncEnumerator, <c>WithCancellation</c>).
    /// </param>
    /// <returns>
    /// The results. Nothing starts before the first MoveNextAsync, and each enumeration is an independent run. The first
    /// failure (a selector's fault, synchronous throw or cancellation Map did not cause, or the source failing), whatever
    /// its position: nothing starts after it, the running selectors' tokens are cancelled, Map waits for them, then
    /// MoveNextAsync throws that exception; results not yet yielded are dropped, and no exception is left unobserved.
    /// Leaving the loop early (break, an exception in its body, DisposeAsync) cancels and awaits the running selectors and
    /// disposes the source before DisposeAsync completes. An empty source yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    /// <example>
    /// <code>
    /// await foreach (string page in Async.Map(urls, (url, ct) =&gt; http.GetStringAsync(url, ct), maxConcurrency: 8))
    /// {
    ///     Console.WriteLine(page.Length);
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<TResult> Map<TSource, TResult>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, int maxConcurrency, bool ordered = true, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return new StreamEnumerable<TResult>(() => Sources.Of(source, selector), MapItem<TResult>.Result, isMap: true, ordered, maxConcurrency, null, Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most <paramref name="options"/>
    /// at once, and streams the results with back-pressure: in source order (p-map's <c>pMapIterable</c>) or, with
    /// <paramref name="ordered"/> <see langword="false"/>, in completion order (aiometer's <c>amap</c>).
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="source">The items, read lazily (one per start, never ahead of the bound); each enumeration reads it afresh and disposes it before it ends.</param>
    /// <param name="selector">Starts the operation for one item with a token Map can cancel; called in source order, on the caller's context.</param>
    /// <param name="ordered"><see langword="true"/> (the default): results in source order; <see langword="false"/>: in completion order.</param>
    /// <param name="cancellationToken">Acts as a failure: nothing more starts, the running selectors are cancelled and awaited, then MoveNextAsync throws <see cref="OperationCanceledException"/>.</param>
    /// <param name="options">
    /// <see cref="ConcurrencyOptions.MaxConcurrency"/> (required) bounds the items holding a slot, from the start of their
    /// selector until their result is handed over; the rate gates, if set, space the starts.
    /// </param>
    /// <returns>
    /// The results. Nothing starts before the first MoveNextAsync, and each enumeration is an independent run. The first
    /// failure (a selector's fault, synchronous throw or cancellation Map did not cause, or the source failing), whatever
    /// its position: nothing starts after it, the running selectors' tokens are cancelled, Map waits for them, then
    /// MoveNextAsync throws that exception; results not yet yielded are dropped, and no exception is left unobserved.
    /// Leaving the loop early (break, an exception in its body, DisposeAsync) cancels and awaits the running selectors and
    /// disposes the source before DisposeAsync completes. An empty source yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="selector"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> does not set <see cref="ConcurrencyOptions.MaxConcurrency"/>.</exception>
    /// <example>
    /// <code>
    /// await foreach (string page in Async.Map(urls, (url, ct) =&gt; http.GetStringAsync(url, ct), maxConcurrency: 8))
    /// {
    ///     Console.WriteLine(page.Length);
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<TResult> Map<TSource, TResult>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, ConcurrencyOptions options, bool ordered = true, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options), requireMaxConcurrency: true);
        return new StreamEnumerable<TResult>(() => Sources.Of(source, selector), MapItem<TResult>.Result, isMap: true, ordered, Validate.Unbounded, options, Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
    }

    /// <inheritdoc cref="Map{TSource, TResult}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task{TResult}}, int, bool, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static IAsyncEnumerable<TResult> Map<TSource, TResult>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, int maxConcurrency, bool ordered = true, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return new StreamEnumerable<TResult>(() => Sources.Of(source, selector), MapItem<TResult>.Result, isMap: true, ordered, maxConcurrency, null, Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
    }

    /// <inheritdoc cref="Map{TSource, TResult}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task{TResult}}, ConcurrencyOptions, bool, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static IAsyncEnumerable<TResult> Map<TSource, TResult>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, ConcurrencyOptions options, bool ordered = true, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options), requireMaxConcurrency: true);
        return new StreamEnumerable<TResult>(() => Sources.Of(source, selector), MapItem<TResult>.Result, isMap: true, ordered, Validate.Unbounded, options, Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
    }
}
