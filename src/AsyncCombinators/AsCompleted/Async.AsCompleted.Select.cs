using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

public static partial class Async
{
    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most as many at once as allowed, and
    /// yields each operation as it completes, with the item's position in the source (aiometer's <c>amap</c>, asyncio
    /// <c>as_completed</c>). A failed operation is yielded like any other; the source failing stops the run and
    /// MoveNextAsync throws its exception once the started operations have finished.
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="source">The items, read lazily when the enumeration runs (one per start, never ahead of the bound); each enumeration reads it afresh.</param>
    /// <param name="selector">Starts the operation for one item with a token the enumeration can cancel; called in source order.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit. The next starts as soon as one completes, whether or not the consumer has asked for it.</param>
    /// <param name="cancellationToken">
    /// Cancels the running operations' tokens and starts no more; once they have finished, MoveNextAsync throws
    /// <see cref="OperationCanceledException"/> (as does the token given to GetAsyncEnumerator, <c>WithCancellation</c>).
    /// </param>
    /// <returns>
    /// <c>(Index, Task)</c> for every operation, in completion order; a failed operation is yielded like any other (awaiting
    /// its task throws) and stops or cancels nothing. Operations start in input order, on the caller's context. Leaving the
    /// loop early (break, exception, disposal) cancels the running operations' tokens and waits for them to finish. An
    /// empty input yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(urls, (url, ct) => http.GetStringAsync(url, ct), maxConcurrency: 8))
    /// {
    ///     Console.WriteLine($"{urls[index]}: {(await task).Length} chars");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task<TResult> Task)> AsCompleted<TSource, TResult>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return new StreamEnumerable<(int Index, Task<TResult> Task)>(() => Sources.Of(source, selector), AsCompletedItem<TResult>.Typed, isMap: false, ordered: false, maxConcurrency, null, Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most as many at once as allowed, and
    /// yields each operation as it completes, with the item's position in the source (aiometer's <c>amap</c>, asyncio
    /// <c>as_completed</c>). A failed operation is yielded like any other; the source failing stops the run and
    /// MoveNextAsync throws its exception once the started operations have finished.
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="source">The items, read lazily when the enumeration runs (one per start, never ahead of the bound); each enumeration reads it afresh.</param>
    /// <param name="selector">Starts the operation for one item with a token the enumeration can cancel; called in source order.</param>
    /// <param name="options">How many may run at once and how fast they may start (see <see cref="ConcurrencyOptions"/>).</param>
    /// <param name="cancellationToken">
    /// Cancels the running operations' tokens and starts no more; once they have finished, MoveNextAsync throws
    /// <see cref="OperationCanceledException"/> (as does the token given to GetAsyncEnumerator, <c>WithCancellation</c>).
    /// </param>
    /// <returns>
    /// <c>(Index, Task)</c> for every operation, in completion order; a failed operation is yielded like any other (awaiting
    /// its task throws) and stops or cancels nothing. Operations start in input order, on the caller's context. Leaving the
    /// loop early (break, exception, disposal) cancels the running operations' tokens and waits for them to finish. An
    /// empty input yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="selector"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(urls, (url, ct) => http.GetStringAsync(url, ct), maxConcurrency: 8))
    /// {
    ///     Console.WriteLine($"{urls[index]}: {(await task).Length} chars");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task<TResult> Task)> AsCompleted<TSource, TResult>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        return new StreamEnumerable<(int Index, Task<TResult> Task)>(() => Sources.Of(source, selector), AsCompletedItem<TResult>.Typed, isMap: false, ordered: false, Validate.Unbounded, options, Timeout.InfiniteTimeSpan, options.TimeProvider, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most as many at once as allowed, and
    /// yields each operation as it completes, with the item's position in the source (aiometer's <c>amap</c>, asyncio
    /// <c>as_completed</c>). A failed operation is yielded like any other; the source failing stops the run and
    /// MoveNextAsync throws its exception once the started operations have finished.
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="source">The items, read lazily when the enumeration runs (one per start, never ahead of the bound); each enumeration reads it afresh.</param>
    /// <param name="selector">Starts the operation for one item with a token the enumeration can cancel; called in source order.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit. The next starts as soon as one completes, whether or not the consumer has asked for it.</param>
    /// <param name="timeout">
    /// The deadline, measured from GetAsyncEnumerator (asyncio's <c>as_completed(..., timeout=...)</c>);
    /// <see cref="Timeout.InfiniteTimeSpan"/>: none. What completed before it is yielded; then nothing more starts, the
    /// running operations are cancelled and awaited, and MoveNextAsync throws <see cref="TimeoutException"/>.
    /// </param>
    /// <param name="cancellationToken">
    /// Cancels the running operations' tokens and starts no more; once they have finished, MoveNextAsync throws
    /// <see cref="OperationCanceledException"/> (as does the token given to GetAsyncEnumerator, <c>WithCancellation</c>).
    /// </param>
    /// <returns>
    /// <c>(Index, Task)</c> for every operation, in completion order; a failed operation is yielded like any other (awaiting
    /// its task throws) and stops or cancels nothing. Operations start in input order, on the caller's context. Leaving the
    /// loop early (break, exception, disposal) cancels the running operations' tokens and waits for them to finish. An
    /// empty input yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days)</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(urls, (url, ct) => http.GetStringAsync(url, ct), maxConcurrency: 8))
    /// {
    ///     Console.WriteLine($"{urls[index]}: {(await task).Length} chars");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task<TResult> Task)> AsCompleted<TSource, TResult>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, int maxConcurrency, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        return new StreamEnumerable<(int Index, Task<TResult> Task)>(() => Sources.Of(source, selector), AsCompletedItem<TResult>.Typed, isMap: false, ordered: false, maxConcurrency, null, timeout, TimeProvider.System, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most as many at once as allowed, and
    /// yields each operation as it completes, with the item's position in the source (aiometer's <c>amap</c>, asyncio
    /// <c>as_completed</c>). A failed operation is yielded like any other; the source failing stops the run and
    /// MoveNextAsync throws its exception once the started operations have finished.
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="source">The items, read lazily when the enumeration runs (one per start, never ahead of the bound); each enumeration reads it afresh.</param>
    /// <param name="selector">Starts the operation for one item with a token the enumeration can cancel; called in source order.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit. The next starts as soon as one completes, whether or not the consumer has asked for it.</param>
    /// <param name="timeout">
    /// The deadline, measured from GetAsyncEnumerator (asyncio's <c>as_completed(..., timeout=...)</c>);
    /// <see cref="Timeout.InfiniteTimeSpan"/>: none. What completed before it is yielded; then nothing more starts, the
    /// running operations are cancelled and awaited, and MoveNextAsync throws <see cref="TimeoutException"/>.
    /// </param>
    /// <param name="timeProvider">The clock of the deadline.</param>
    /// <param name="cancellationToken">
    /// Cancels the running operations' tokens and starts no more; once they have finished, MoveNextAsync throws
    /// <see cref="OperationCanceledException"/> (as does the token given to GetAsyncEnumerator, <c>WithCancellation</c>).
    /// </param>
    /// <returns>
    /// <c>(Index, Task)</c> for every operation, in completion order; a failed operation is yielded like any other (awaiting
    /// its task throws) and stops or cancels nothing. Operations start in input order, on the caller's context. Leaving the
    /// loop early (break, exception, disposal) cancels the running operations' tokens and waits for them to finish. An
    /// empty input yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days)</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(urls, (url, ct) => http.GetStringAsync(url, ct), maxConcurrency: 8))
    /// {
    ///     Console.WriteLine($"{urls[index]}: {(await task).Length} chars");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task<TResult> Task)> AsCompleted<TSource, TResult>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, int maxConcurrency, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        ThrowHelper.ThrowIfNull(timeProvider, nameof(timeProvider));
        return new StreamEnumerable<(int Index, Task<TResult> Task)>(() => Sources.Of(source, selector), AsCompletedItem<TResult>.Typed, isMap: false, ordered: false, maxConcurrency, null, timeout, timeProvider, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most as many at once as allowed, and
    /// yields each operation as it completes, with the item's position in the source (aiometer's <c>amap</c>, asyncio
    /// <c>as_completed</c>). A failed operation is yielded like any other; the source failing stops the run and
    /// MoveNextAsync throws its exception once the started operations have finished.
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="source">The items, read lazily when the enumeration runs (one per start, never ahead of the bound); each enumeration reads it afresh.</param>
    /// <param name="selector">Starts the operation for one item with a token the enumeration can cancel; called in source order.</param>
    /// <param name="options">How many may run at once and how fast they may start (see <see cref="ConcurrencyOptions"/>).</param>
    /// <param name="timeout">
    /// The deadline, measured from GetAsyncEnumerator (asyncio's <c>as_completed(..., timeout=...)</c>);
    /// <see cref="Timeout.InfiniteTimeSpan"/>: none. What completed before it is yielded; then nothing more starts, the
    /// running operations are cancelled and awaited, and MoveNextAsync throws <see cref="TimeoutException"/>.
    /// </param>
    /// <param name="cancellationToken">
    /// Cancels the running operations' tokens and starts no more; once they have finished, MoveNextAsync throws
    /// <see cref="OperationCanceledException"/> (as does the token given to GetAsyncEnumerator, <c>WithCancellation</c>).
    /// </param>
    /// <returns>
    /// <c>(Index, Task)</c> for every operation, in completion order; a failed operation is yielded like any other (awaiting
    /// its task throws) and stops or cancels nothing. Operations start in input order, on the caller's context. Leaving the
    /// loop early (break, exception, disposal) cancels the running operations' tokens and waits for them to finish. An
    /// empty input yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="selector"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days)</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(urls, (url, ct) => http.GetStringAsync(url, ct), maxConcurrency: 8))
    /// {
    ///     Console.WriteLine($"{urls[index]}: {(await task).Length} chars");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task<TResult> Task)> AsCompleted<TSource, TResult>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, ConcurrencyOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        return new StreamEnumerable<(int Index, Task<TResult> Task)>(() => Sources.Of(source, selector), AsCompletedItem<TResult>.Typed, isMap: false, ordered: false, Validate.Unbounded, options, timeout, options.TimeProvider, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most as many at once as allowed, and
    /// yields each operation as it completes, with the item's position in the source (aiometer's <c>amap</c>, asyncio
    /// <c>as_completed</c>). A failed operation is yielded like any other; the source failing stops the run and
    /// MoveNextAsync throws its exception once the started operations have finished.
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <param name="source">The items, read lazily when the enumeration runs (one per start, never ahead of the bound); each enumeration reads it afresh.</param>
    /// <param name="selector">Starts the operation for one item with a token the enumeration can cancel; called in source order.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit. The next starts as soon as one completes, whether or not the consumer has asked for it.</param>
    /// <param name="cancellationToken">
    /// Cancels the running operations' tokens and starts no more; once they have finished, MoveNextAsync throws
    /// <see cref="OperationCanceledException"/> (as does the token given to GetAsyncEnumerator, <c>WithCancellation</c>).
    /// </param>
    /// <returns>
    /// <c>(Index, Task)</c> for every operation, in completion order; a failed operation is yielded like any other (awaiting
    /// its task throws) and stops or cancels nothing. Operations start in input order, on the caller's context. Leaving the
    /// loop early (break, exception, disposal) cancels the running operations' tokens and waits for them to finish. An
    /// empty input yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(files, (file, ct) => UploadAsync(file, ct), maxConcurrency: 4))
    /// {
    ///     Console.WriteLine(task.IsCompletedSuccessfully ? $"{files[index]} uploaded" : $"{files[index]} failed");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted<TSource>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(source, selector), AsCompletedItem.Untyped, isMap: false, ordered: false, maxConcurrency, null, Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most as many at once as allowed, and
    /// yields each operation as it completes, with the item's position in the source (aiometer's <c>amap</c>, asyncio
    /// <c>as_completed</c>). A failed operation is yielded like any other; the source failing stops the run and
    /// MoveNextAsync throws its exception once the started operations have finished.
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <param name="source">The items, read lazily when the enumeration runs (one per start, never ahead of the bound); each enumeration reads it afresh.</param>
    /// <param name="selector">Starts the operation for one item with a token the enumeration can cancel; called in source order.</param>
    /// <param name="options">How many may run at once and how fast they may start (see <see cref="ConcurrencyOptions"/>).</param>
    /// <param name="cancellationToken">
    /// Cancels the running operations' tokens and starts no more; once they have finished, MoveNextAsync throws
    /// <see cref="OperationCanceledException"/> (as does the token given to GetAsyncEnumerator, <c>WithCancellation</c>).
    /// </param>
    /// <returns>
    /// <c>(Index, Task)</c> for every operation, in completion order; a failed operation is yielded like any other (awaiting
    /// its task throws) and stops or cancels nothing. Operations start in input order, on the caller's context. Leaving the
    /// loop early (break, exception, disposal) cancels the running operations' tokens and waits for them to finish. An
    /// empty input yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="selector"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(files, (file, ct) => UploadAsync(file, ct), maxConcurrency: 4))
    /// {
    ///     Console.WriteLine(task.IsCompletedSuccessfully ? $"{files[index]} uploaded" : $"{files[index]} failed");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted<TSource>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(source, selector), AsCompletedItem.Untyped, isMap: false, ordered: false, Validate.Unbounded, options, Timeout.InfiniteTimeSpan, options.TimeProvider, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most as many at once as allowed, and
    /// yields each operation as it completes, with the item's position in the source (aiometer's <c>amap</c>, asyncio
    /// <c>as_completed</c>). A failed operation is yielded like any other; the source failing stops the run and
    /// MoveNextAsync throws its exception once the started operations have finished.
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <param name="source">The items, read lazily when the enumeration runs (one per start, never ahead of the bound); each enumeration reads it afresh.</param>
    /// <param name="selector">Starts the operation for one item with a token the enumeration can cancel; called in source order.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit. The next starts as soon as one completes, whether or not the consumer has asked for it.</param>
    /// <param name="timeout">
    /// The deadline, measured from GetAsyncEnumerator (asyncio's <c>as_completed(..., timeout=...)</c>);
    /// <see cref="Timeout.InfiniteTimeSpan"/>: none. What completed before it is yielded; then nothing more starts, the
    /// running operations are cancelled and awaited, and MoveNextAsync throws <see cref="TimeoutException"/>.
    /// </param>
    /// <param name="cancellationToken">
    /// Cancels the running operations' tokens and starts no more; once they have finished, MoveNextAsync throws
    /// <see cref="OperationCanceledException"/> (as does the token given to GetAsyncEnumerator, <c>WithCancellation</c>).
    /// </param>
    /// <returns>
    /// <c>(Index, Task)</c> for every operation, in completion order; a failed operation is yielded like any other (awaiting
    /// its task throws) and stops or cancels nothing. Operations start in input order, on the caller's context. Leaving the
    /// loop early (break, exception, disposal) cancels the running operations' tokens and waits for them to finish. An
    /// empty input yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days)</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(files, (file, ct) => UploadAsync(file, ct), maxConcurrency: 4))
    /// {
    ///     Console.WriteLine(task.IsCompletedSuccessfully ? $"{files[index]} uploaded" : $"{files[index]} failed");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted<TSource>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, int maxConcurrency, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(source, selector), AsCompletedItem.Untyped, isMap: false, ordered: false, maxConcurrency, null, timeout, TimeProvider.System, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most as many at once as allowed, and
    /// yields each operation as it completes, with the item's position in the source (aiometer's <c>amap</c>, asyncio
    /// <c>as_completed</c>). A failed operation is yielded like any other; the source failing stops the run and
    /// MoveNextAsync throws its exception once the started operations have finished.
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <param name="source">The items, read lazily when the enumeration runs (one per start, never ahead of the bound); each enumeration reads it afresh.</param>
    /// <param name="selector">Starts the operation for one item with a token the enumeration can cancel; called in source order.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit. The next starts as soon as one completes, whether or not the consumer has asked for it.</param>
    /// <param name="timeout">
    /// The deadline, measured from GetAsyncEnumerator (asyncio's <c>as_completed(..., timeout=...)</c>);
    /// <see cref="Timeout.InfiniteTimeSpan"/>: none. What completed before it is yielded; then nothing more starts, the
    /// running operations are cancelled and awaited, and MoveNextAsync throws <see cref="TimeoutException"/>.
    /// </param>
    /// <param name="timeProvider">The clock of the deadline.</param>
    /// <param name="cancellationToken">
    /// Cancels the running operations' tokens and starts no more; once they have finished, MoveNextAsync throws
    /// <see cref="OperationCanceledException"/> (as does the token given to GetAsyncEnumerator, <c>WithCancellation</c>).
    /// </param>
    /// <returns>
    /// <c>(Index, Task)</c> for every operation, in completion order; a failed operation is yielded like any other (awaiting
    /// its task throws) and stops or cancels nothing. Operations start in input order, on the caller's context. Leaving the
    /// loop early (break, exception, disposal) cancels the running operations' tokens and waits for them to finish. An
    /// empty input yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days)</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(files, (file, ct) => UploadAsync(file, ct), maxConcurrency: 4))
    /// {
    ///     Console.WriteLine(task.IsCompletedSuccessfully ? $"{files[index]} uploaded" : $"{files[index]} failed");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted<TSource>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, int maxConcurrency, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        ThrowHelper.ThrowIfNull(timeProvider, nameof(timeProvider));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(source, selector), AsCompletedItem.Untyped, isMap: false, ordered: false, maxConcurrency, null, timeout, timeProvider, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="selector"/> for each item of <paramref name="source"/>, at most as many at once as allowed, and
    /// yields each operation as it completes, with the item's position in the source (aiometer's <c>amap</c>, asyncio
    /// <c>as_completed</c>). A failed operation is yielded like any other; the source failing stops the run and
    /// MoveNextAsync throws its exception once the started operations have finished.
    /// </summary>
    /// <typeparam name="TSource">The item type.</typeparam>
    /// <param name="source">The items, read lazily when the enumeration runs (one per start, never ahead of the bound); each enumeration reads it afresh.</param>
    /// <param name="selector">Starts the operation for one item with a token the enumeration can cancel; called in source order.</param>
    /// <param name="options">How many may run at once and how fast they may start (see <see cref="ConcurrencyOptions"/>).</param>
    /// <param name="timeout">
    /// The deadline, measured from GetAsyncEnumerator (asyncio's <c>as_completed(..., timeout=...)</c>);
    /// <see cref="Timeout.InfiniteTimeSpan"/>: none. What completed before it is yielded; then nothing more starts, the
    /// running operations are cancelled and awaited, and MoveNextAsync throws <see cref="TimeoutException"/>.
    /// </param>
    /// <param name="cancellationToken">
    /// Cancels the running operations' tokens and starts no more; once they have finished, MoveNextAsync throws
    /// <see cref="OperationCanceledException"/> (as does the token given to GetAsyncEnumerator, <c>WithCancellation</c>).
    /// </param>
    /// <returns>
    /// <c>(Index, Task)</c> for every operation, in completion order; a failed operation is yielded like any other (awaiting
    /// its task throws) and stops or cancels nothing. Operations start in input order, on the caller's context. Leaving the
    /// loop early (break, exception, disposal) cancels the running operations' tokens and waits for them to finish. An
    /// empty input yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="selector"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days)</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(files, (file, ct) => UploadAsync(file, ct), maxConcurrency: 4))
    /// {
    ///     Console.WriteLine(task.IsCompletedSuccessfully ? $"{files[index]} uploaded" : $"{files[index]} failed");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted<TSource>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, ConcurrencyOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(source, selector), AsCompletedItem.Untyped, isMap: false, ordered: false, Validate.Unbounded, options, timeout, options.TimeProvider, cancellationToken);
    }

    /// <inheritdoc cref="AsCompleted{TSource, TResult}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task{TResult}}, int, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static IAsyncEnumerable<(int Index, Task<TResult> Task)> AsCompleted<TSource, TResult>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return new StreamEnumerable<(int Index, Task<TResult> Task)>(() => Sources.Of(source, selector), AsCompletedItem<TResult>.Typed, isMap: false, ordered: false, maxConcurrency, null, Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
    }

    /// <inheritdoc cref="AsCompleted{TSource, TResult}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task{TResult}}, ConcurrencyOptions, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static IAsyncEnumerable<(int Index, Task<TResult> Task)> AsCompleted<TSource, TResult>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        return new StreamEnumerable<(int Index, Task<TResult> Task)>(() => Sources.Of(source, selector), AsCompletedItem<TResult>.Typed, isMap: false, ordered: false, Validate.Unbounded, options, Timeout.InfiniteTimeSpan, options.TimeProvider, cancellationToken);
    }

    /// <inheritdoc cref="AsCompleted{TSource, TResult}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task{TResult}}, int, TimeSpan, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static IAsyncEnumerable<(int Index, Task<TResult> Task)> AsCompleted<TSource, TResult>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, int maxConcurrency, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        return new StreamEnumerable<(int Index, Task<TResult> Task)>(() => Sources.Of(source, selector), AsCompletedItem<TResult>.Typed, isMap: false, ordered: false, maxConcurrency, null, timeout, TimeProvider.System, cancellationToken);
    }

    /// <inheritdoc cref="AsCompleted{TSource, TResult}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task{TResult}}, int, TimeSpan, TimeProvider, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static IAsyncEnumerable<(int Index, Task<TResult> Task)> AsCompleted<TSource, TResult>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, int maxConcurrency, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        ThrowHelper.ThrowIfNull(timeProvider, nameof(timeProvider));
        return new StreamEnumerable<(int Index, Task<TResult> Task)>(() => Sources.Of(source, selector), AsCompletedItem<TResult>.Typed, isMap: false, ordered: false, maxConcurrency, null, timeout, timeProvider, cancellationToken);
    }

    /// <inheritdoc cref="AsCompleted{TSource, TResult}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task{TResult}}, ConcurrencyOptions, TimeSpan, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static IAsyncEnumerable<(int Index, Task<TResult> Task)> AsCompleted<TSource, TResult>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector, ConcurrencyOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        return new StreamEnumerable<(int Index, Task<TResult> Task)>(() => Sources.Of(source, selector), AsCompletedItem<TResult>.Typed, isMap: false, ordered: false, Validate.Unbounded, options, timeout, options.TimeProvider, cancellationToken);
    }

    /// <inheritdoc cref="AsCompleted{TSource}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task}, int, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted<TSource>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(source, selector), AsCompletedItem.Untyped, isMap: false, ordered: false, maxConcurrency, null, Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
    }

    /// <inheritdoc cref="AsCompleted{TSource}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task}, ConcurrencyOptions, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted<TSource>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(source, selector), AsCompletedItem.Untyped, isMap: false, ordered: false, Validate.Unbounded, options, Timeout.InfiniteTimeSpan, options.TimeProvider, cancellationToken);
    }

    /// <inheritdoc cref="AsCompleted{TSource}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task}, int, TimeSpan, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted<TSource>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, int maxConcurrency, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(source, selector), AsCompletedItem.Untyped, isMap: false, ordered: false, maxConcurrency, null, timeout, TimeProvider.System, cancellationToken);
    }

    /// <inheritdoc cref="AsCompleted{TSource}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task}, int, TimeSpan, TimeProvider, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted<TSource>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, int maxConcurrency, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        ThrowHelper.ThrowIfNull(timeProvider, nameof(timeProvider));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(source, selector), AsCompletedItem.Untyped, isMap: false, ordered: false, maxConcurrency, null, timeout, timeProvider, cancellationToken);
    }

    /// <inheritdoc cref="AsCompleted{TSource}(IEnumerable{TSource}, Func{TSource, CancellationToken, Task}, ConcurrencyOptions, TimeSpan, CancellationToken)"/>
    /// <remarks>The source is enumerated with the run's token (a failure or the caller's token cancels a pending MoveNextAsync) and disposed before the call completes or the enumeration ends.</remarks>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted<TSource>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector, ConcurrencyOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(source, nameof(source));
        ThrowHelper.ThrowIfNull(selector, nameof(selector));
        Validate.Options(options, nameof(options));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(source, selector), AsCompletedItem.Untyped, isMap: false, ordered: false, Validate.Unbounded, options, timeout, options.TimeProvider, cancellationToken);
    }
}
