using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

public static partial class Async
{
    /// <summary>
    /// Runs cold operations, at most <paramref name="maxConcurrency"/> at once, and yields each as it completes, with its
    /// position in the input (bounded streaming, like aiometer's <c>amap</c>; asyncio <c>as_completed</c> over coroutines).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operations">The operations, started in input order when the enumeration starts. Enumerated once and validated at the call.</param>
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
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(downloads, maxConcurrency: 4))
    /// {
    ///     Console.WriteLine($"#{index}: {await task}");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task<T> Task)> AsCompleted<T>(IEnumerable<Func<CancellationToken, Task<T>>> operations, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task<T>>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return new StreamEnumerable<(int Index, Task<T> Task)>(() => Sources.Of(items), AsCompletedItem<T>.Typed, isMap: false, ordered: false, maxConcurrency, null, Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
    }

    /// <summary>
    /// Runs cold operations, at most as many at once as <paramref name="options"/> allows, and yields each as it completes, with its
    /// position in the input (bounded streaming, like aiometer's <c>amap</c>; asyncio <c>as_completed</c> over coroutines).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operations">The operations, started in input order when the enumeration starts. Enumerated once and validated at the call.</param>
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
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(downloads, maxConcurrency: 4))
    /// {
    ///     Console.WriteLine($"#{index}: {await task}");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task<T> Task)> AsCompleted<T>(IEnumerable<Func<CancellationToken, Task<T>>> operations, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task<T>>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.Options(options, nameof(options));
        return new StreamEnumerable<(int Index, Task<T> Task)>(() => Sources.Of(items), AsCompletedItem<T>.Typed, isMap: false, ordered: false, Validate.Unbounded, options, Timeout.InfiniteTimeSpan, options.TimeProvider, cancellationToken);
    }

    /// <summary>
    /// Runs cold operations, at most <paramref name="maxConcurrency"/> at once, and yields each as it completes, with its
    /// position in the input (bounded streaming, like aiometer's <c>amap</c>; asyncio <c>as_completed</c> over coroutines).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operations">The operations, started in input order when the enumeration starts. Enumerated once and validated at the call.</param>
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
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days)</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(downloads, maxConcurrency: 4))
    /// {
    ///     Console.WriteLine($"#{index}: {await task}");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task<T> Task)> AsCompleted<T>(IEnumerable<Func<CancellationToken, Task<T>>> operations, int maxConcurrency, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task<T>>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        return new StreamEnumerable<(int Index, Task<T> Task)>(() => Sources.Of(items), AsCompletedItem<T>.Typed, isMap: false, ordered: false, maxConcurrency, null, timeout, TimeProvider.System, cancellationToken);
    }

    /// <summary>
    /// Runs cold operations, at most <paramref name="maxConcurrency"/> at once, and yields each as it completes, with its
    /// position in the input (bounded streaming, like aiometer's <c>amap</c>; asyncio <c>as_completed</c> over coroutines).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operations">The operations, started in input order when the enumeration starts. Enumerated once and validated at the call.</param>
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
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days)</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(downloads, maxConcurrency: 4))
    /// {
    ///     Console.WriteLine($"#{index}: {await task}");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task<T> Task)> AsCompleted<T>(IEnumerable<Func<CancellationToken, Task<T>>> operations, int maxConcurrency, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task<T>>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        ThrowHelper.ThrowIfNull(timeProvider, nameof(timeProvider));
        return new StreamEnumerable<(int Index, Task<T> Task)>(() => Sources.Of(items), AsCompletedItem<T>.Typed, isMap: false, ordered: false, maxConcurrency, null, timeout, timeProvider, cancellationToken);
    }

    /// <summary>
    /// Runs cold operations, at most as many at once as <paramref name="options"/> allows, and yields each as it completes, with its
    /// position in the input (bounded streaming, like aiometer's <c>amap</c>; asyncio <c>as_completed</c> over coroutines).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operations">The operations, started in input order when the enumeration starts. Enumerated once and validated at the call.</param>
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
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days)</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(downloads, maxConcurrency: 4))
    /// {
    ///     Console.WriteLine($"#{index}: {await task}");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task<T> Task)> AsCompleted<T>(IEnumerable<Func<CancellationToken, Task<T>>> operations, ConcurrencyOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task<T>>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.Options(options, nameof(options));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        return new StreamEnumerable<(int Index, Task<T> Task)>(() => Sources.Of(items), AsCompletedItem<T>.Typed, isMap: false, ordered: false, Validate.Unbounded, options, timeout, options.TimeProvider, cancellationToken);
    }

    /// <summary>
    /// Runs cold operations, at most <paramref name="maxConcurrency"/> at once, and yields each as it completes, with its
    /// position in the input (bounded streaming, like aiometer's <c>amap</c>; asyncio <c>as_completed</c> over coroutines).
    /// </summary>
    /// <param name="operations">The operations, started in input order when the enumeration starts. Enumerated once and validated at the call.</param>
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
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(jobs, maxConcurrency: 4))
    /// {
    ///     Console.WriteLine(task.IsCompletedSuccessfully ? $"job {index} done" : $"job {index} failed");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted(IEnumerable<Func<CancellationToken, Task>> operations, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(items), AsCompletedItem.Untyped, isMap: false, ordered: false, maxConcurrency, null, Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
    }

    /// <summary>
    /// Runs cold operations, at most as many at once as <paramref name="options"/> allows, and yields each as it completes, with its
    /// position in the input (bounded streaming, like aiometer's <c>amap</c>; asyncio <c>as_completed</c> over coroutines).
    /// </summary>
    /// <param name="operations">The operations, started in input order when the enumeration starts. Enumerated once and validated at the call.</param>
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
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(jobs, maxConcurrency: 4))
    /// {
    ///     Console.WriteLine(task.IsCompletedSuccessfully ? $"job {index} done" : $"job {index} failed");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted(IEnumerable<Func<CancellationToken, Task>> operations, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.Options(options, nameof(options));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(items), AsCompletedItem.Untyped, isMap: false, ordered: false, Validate.Unbounded, options, Timeout.InfiniteTimeSpan, options.TimeProvider, cancellationToken);
    }

    /// <summary>
    /// Runs cold operations, at most <paramref name="maxConcurrency"/> at once, and yields each as it completes, with its
    /// position in the input (bounded streaming, like aiometer's <c>amap</c>; asyncio <c>as_completed</c> over coroutines).
    /// </summary>
    /// <param name="operations">The operations, started in input order when the enumeration starts. Enumerated once and validated at the call.</param>
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
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days)</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(jobs, maxConcurrency: 4))
    /// {
    ///     Console.WriteLine(task.IsCompletedSuccessfully ? $"job {index} done" : $"job {index} failed");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted(IEnumerable<Func<CancellationToken, Task>> operations, int maxConcurrency, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(items), AsCompletedItem.Untyped, isMap: false, ordered: false, maxConcurrency, null, timeout, TimeProvider.System, cancellationToken);
    }

    /// <summary>
    /// Runs cold operations, at most <paramref name="maxConcurrency"/> at once, and yields each as it completes, with its
    /// position in the input (bounded streaming, like aiometer's <c>amap</c>; asyncio <c>as_completed</c> over coroutines).
    /// </summary>
    /// <param name="operations">The operations, started in input order when the enumeration starts. Enumerated once and validated at the call.</param>
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
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1, or <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days)</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(jobs, maxConcurrency: 4))
    /// {
    ///     Console.WriteLine(task.IsCompletedSuccessfully ? $"job {index} done" : $"job {index} failed");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted(IEnumerable<Func<CancellationToken, Task>> operations, int maxConcurrency, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        ThrowHelper.ThrowIfNull(timeProvider, nameof(timeProvider));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(items), AsCompletedItem.Untyped, isMap: false, ordered: false, maxConcurrency, null, timeout, timeProvider, cancellationToken);
    }

    /// <summary>
    /// Runs cold operations, at most as many at once as <paramref name="options"/> allows, and yields each as it completes, with its
    /// position in the input (bounded streaming, like aiometer's <c>amap</c>; asyncio <c>as_completed</c> over coroutines).
    /// </summary>
    /// <param name="operations">The operations, started in input order when the enumeration starts. Enumerated once and validated at the call.</param>
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
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days)</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(jobs, maxConcurrency: 4))
    /// {
    ///     Console.WriteLine(task.IsCompletedSuccessfully ? $"job {index} done" : $"job {index} failed");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task Task)> AsCompleted(IEnumerable<Func<CancellationToken, Task>> operations, ConcurrencyOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.Options(options, nameof(options));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        return new StreamEnumerable<(int Index, Task Task)>(() => Sources.Of(items), AsCompletedItem.Untyped, isMap: false, ordered: false, Validate.Unbounded, options, timeout, options.TimeProvider, cancellationToken);
    }
}
