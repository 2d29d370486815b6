using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

public static partial class Async
{
    /// <summary>
    /// Runs cold operations, at most <paramref name="maxConcurrency"/> at once, and returns their results in input order;
    /// the first failure cancels the rest (asyncio <c>gather</c> over coroutines, made structured: nothing it started is
    /// left running).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operations">The operations, started in input order, each with a token Gather can cancel. Enumerated once, at the call.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit.</param>
    /// <param name="cancellationToken">
    /// Cancels every running operation's token and starts no more; Gather waits for the started ones, then throws
    /// <see cref="OperationCanceledException"/>. Already canceled: nothing starts.
    /// </param>
    /// <returns>
    /// A task with every result in input order. On the first failure (a fault, a synchronous throw, or a cancellation
    /// Gather did not cause) every running operation's token is cancelled, nothing more starts, Gather WAITS for the
    /// started ones, then fails with the first failure's exception; its <see cref="Task.Exception"/> holds every failure
    /// except the cancellations Gather caused itself. If the first failure is an operation ending canceled, the task ends
    /// canceled. When the task completes, no operation it started is still running, and every exception was observed.
    /// An empty input yields an already-completed task with an empty array.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    /// <example>
    /// <code>
    /// var (user, orders) = await Async.Gather(ct => GetUserAsync(id, ct), ct => GetOrdersAsync(id, ct));
    /// int[] sizes = await Async.Gather(downloads, maxConcurrency: 4);
    /// </code>
    /// </example>
    public static Task<T[]> Gather<T>(IEnumerable<Func<CancellationToken, Task<T>>> operations, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task<T>>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return items.Length == 0
            ? CompletedTasks<T>.EmptyArray
            : GatherRunner<T>.Run(Sources.Of(items), items.Length, maxConcurrency, null, cancellationToken);
    }

    /// <summary>
    /// Runs cold operations, at most as many at once as <paramref name="options"/> allows, and returns their results in input order;
    /// the first failure cancels the rest (asyncio <c>gather</c> over coroutines, made structured: nothing it started is
    /// left running).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operations">The operations, started in input order, each with a token Gather can cancel. Enumerated once, at the call.</param>
    /// <param name="options">How many may run at once and how fast they may start (see <see cref="ConcurrencyOptions"/>).</param>
    /// <param name="cancellationToken">
    /// Cancels every running operation's token and starts no more; Gather waits for the started ones, then throws
    /// <see cref="OperationCanceledException"/>. Already canceled: nothing starts.
    /// </param>
    /// <returns>
    /// A task with every result in input order. On the first failure (a fault, a synchronous throw, or a cancellation
    /// Gather did not cause) every running operation's token is cancelled, nothing more starts, Gather WAITS for the
    /// started ones, then fails with the first failure's exception; its <see cref="Task.Exception"/> holds every failure
    /// except the cancellations Gather caused itself. If the first failure is an operation ending canceled, the task ends
    /// canceled. When the task completes, no operation it started is still running, and every exception was observed.
    /// An empty input yields an already-completed task with an empty array.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <example>
    /// <code>
    /// var (user, orders) = await Async.Gather(ct => GetUserAsync(id, ct), ct => GetOrdersAsync(id, ct));
    /// int[] sizes = await Async.Gather(downloads, maxConcurrency: 4);
    /// </code>
    /// </example>
    public static Task<T[]> Gather<T>(IEnumerable<Func<CancellationToken, Task<T>>> operations, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task<T>>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.Options(options, nameof(options));
        return items.Length == 0
            ? CompletedTasks<T>.EmptyArray
            : GatherRunner<T>.Run(Sources.Of(items), items.Length, Validate.Unbounded, options, cancellationToken);
    }

    /// <summary>
    /// Runs untyped cold operations, at most <paramref name="maxConcurrency"/> at once; the first failure cancels the rest
    /// (asyncio <c>gather</c> over coroutines that return nothing, made structured: nothing it started is left running).
    /// </summary>
    /// <param name="operations">The operations, started in input order, each with a token Gather can cancel. Enumerated once, at the call.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit.</param>
    /// <param name="cancellationToken">
    /// Cancels every running operation's token and starts no more; Gather waits for the started ones, then throws
    /// <see cref="OperationCanceledException"/>. Already canceled: nothing starts.
    /// </param>
    /// <returns>
    /// A task that completes when every operation has succeeded. Failures and cancellation as
    /// <see cref="Gather{T}(IEnumerable{Func{CancellationToken, Task{T}}}, int, CancellationToken)"/>: the first failure
    /// cancels the running operations, and the task fails with it once they have finished. An empty input yields an
    /// already-completed task.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    public static Task Gather(IEnumerable<Func<CancellationToken, Task>> operations, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return items.Length == 0
            ? Task.CompletedTask
            : GatherRunner<VoidResult>.Run(Sources.Of(items), items.Length, maxConcurrency, null, cancellationToken);
    }

    /// <summary>
    /// Runs untyped cold operations, at most as many at once as <paramref name="options"/> allows; the first failure cancels the rest
    /// (asyncio <c>gather</c> over coroutines that return nothing, made structured: nothing it started is left running).
    /// </summary>
    /// <param name="operations">The operations, started in input order, each with a token Gather can cancel. Enumerated once, at the call.</param>
    /// <param name="options">How many may run at once and how fast they may start (see <see cref="ConcurrencyOptions"/>).</param>
    /// <param name="cancellationToken">
    /// Cancels every running operation's token and starts no more; Gather waits for the started ones, then throws
    /// <see cref="OperationCanceledException"/>. Already canceled: nothing starts.
    /// </param>
    /// <returns>
    /// A task that completes when every operation has succeeded. Failures and cancellation as
    /// <see cref="Gather{T}(IEnumerable{Func{CancellationToken, Task{T}}}, int, CancellationToken)"/>: the first failure
    /// cancels the running operations, and the task fails with it once they have finished. An empty input yields an
    /// already-completed task.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    public static Task Gather(IEnumerable<Func<CancellationToken, Task>> operations, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.Options(options, nameof(options));
        return items.Length == 0
            ? Task.CompletedTask
            : GatherRunner<VoidResult>.Run(Sources.Of(items), items.Length, Validate.Unbounded, options, cancellationToken);
    }

    /// <summary>Runs two cold operations of different types at once and returns both results; the first failure cancels the other (structured asyncio <c>gather</c>).</summary>
    /// <typeparam name="T1">The first result type.</typeparam>
    /// <typeparam name="T2">The second result type.</typeparam>
    /// <param name="operation1">The first operation.</param>
    /// <param name="operation2">The second operation.</param>
    /// <param name="cancellationToken">Cancels both; the call waits for them, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>A task with the tuple of results; failures as <see cref="Gather{T}(IEnumerable{Func{CancellationToken, Task{T}}}, int, CancellationToken)"/>.</returns>
    /// <exception cref="ArgumentNullException">An operation is <see langword="null"/>.</exception>
    /// <example><code>var (user, count) = await Async.Gather(ct => GetUserAsync(ct), ct => CountAsync(ct));</code></example>
    public static Task<(T1, T2)> Gather<T1, T2>(Func<CancellationToken, Task<T1>> operation1, Func<CancellationToken, Task<T2>> operation2, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(operation1, nameof(operation1));
        ThrowHelper.ThrowIfNull(operation2, nameof(operation2));
        var slots = new HeterogeneousSlots<T1, T2, VoidResult, VoidResult, VoidResult>();
        return Completion.Then(GatherRunner<VoidResult>.Run(Sources.Of(slots.Bind(operation1, operation2)), 2, Validate.Unbounded, null, cancellationToken), slots, static s => (s.Value1, s.Value2));
    }

    /// <summary>Runs three cold operations of different types at once and returns the results; the first failure cancels the others.</summary>
    /// <typeparam name="T1">The first result type.</typeparam>
    /// <typeparam name="T2">The second result type.</typeparam>
    /// <typeparam name="T3">The third result type.</typeparam>
    /// <param name="operation1">The first operation.</param>
    /// <param name="operation2">The second operation.</param>
    /// <param name="operation3">The third operation.</param>
    /// <param name="cancellationToken">Cancels them all; the call waits for them, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>A task with the tuple of results; failures as <see cref="Gather{T}(IEnumerable{Func{CancellationToken, Task{T}}}, int, CancellationToken)"/>.</returns>
    /// <exception cref="ArgumentNullException">An operation is <see langword="null"/>.</exception>
    public static Task<(T1, T2, T3)> Gather<T1, T2, T3>(Func<CancellationToken, Task<T1>> operation1, Func<CancellationToken, Task<T2>> operation2, Func<CancellationToken, Task<T3>> operation3, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(operation1, nameof(operation1));
        ThrowHelper.ThrowIfNull(operation2, nameof(operation2));
        ThrowHelper.ThrowIfNull(operation3, nameof(operation3));
        var slots = new HeterogeneousSlots<T1, T2, T3, VoidResult, VoidResult>();
        return Completion.Then(GatherRunner<VoidResult>.Run(Sources.Of(slots.Bind(operation1, operation2, operation3)), 2, Validate.Unbounded, null, cancellationToken), slots, static s => (s.Value1, s.Value2, s.Value3));
    }

    /// <summary>Runs four cold operations of different types at once and returns the results; the first failure cancels the others.</summary>
    /// <typeparam name="T1">The first result type.</typeparam>
    /// <typeparam name="T2">The second result type.</typeparam>
    /// <typeparam name="T3">The third result type.</typeparam>
    /// <typeparam name="T4">The fourth result type.</typeparam>
    /// <param name="operation1">The first operation.</param>
    /// <param name="operation2">The second operation.</param>
    /// <param name="operation3">The third operation.</param>
    /// <param name="operation4">The fourth operation.</param>
    /// <param name="cancellationToken">Cancels them all; the call waits for them, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>A task with the tuple of results; failures as <see cref="Gather{T}(IEnumerable{Func{CancellationToken, Task{T}}}, int, CancellationToken)"/>.</returns>
    /// <exception cref="ArgumentNullException">An operation is <see langword="null"/>.</exception>
    public static Task<(T1, T2, T3, T4)> Gather<T1, T2, T3, T4>(Func<CancellationToken, Task<T1>> operation1, Func<CancellationToken, Task<T2>> operation2, Func<CancellationToken, Task<T3>> operation3, Func<CancellationToken, Task<T4>> operation4, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(operation1, nameof(operation1));
        ThrowHelper.ThrowIfNull(operation2, nameof(operation2));
        ThrowHelper.ThrowIfNull(operation3, nameof(operation3));
        ThrowHelper.ThrowIfNull(operation4, nameof(operation4));
        var slots = new HeterogeneousSlots<T1, T2, T3, T4, VoidResult>();
        return Completion.Then(GatherRunner<VoidResult>.Run(Sources.Of(slots.Bind(operation1, operation2, operation3, operation4)), 2, Validate.Unbounded, null, cancellationToken), slots, static s => (s.Value1, s.Value2, s.Value3, s.Value4));
    }

    /// <summary>Runs five cold operations of different types at once and returns the results; the first failure cancels the others.</summary>
    /// <typeparam name="T1">The first result type.</typeparam>
    /// <typeparam name="T2">The second result type.</typeparam>
    /// <typeparam name="T3">The third result type.</typeparam>
    /// <typeparam name="T4">The fourth result type.</typeparam>
    /// <typeparam name="T5">The fifth result type.</typeparam>
    /// <param name="operation1">The first operation.</param>
    /// <param name="operation2">The second operation.</param>
    /// <param name="operation3">The third operation.</param>
    /// <param name="operation4">The fourth operation.</param>
    /// <param name="operation5">The fifth operation.</param>
    /// <param name="cancellationToken">Cancels them all; the call waits for them, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>A task with the tuple of results; failures as <see cref="Gather{T}(IEnumerable{Func{CancellationToken, Task{T}}}, int, CancellationToken)"/>.</returns>
    /// <exception cref="ArgumentNullException">An operation is <see langword="null"/>.</exception>
    public static Task<(T1, T2, T3, T4, T5)> Gather<T1, T2, T3, T4, T5>(Func<CancellationToken, Task<T1>> operation1, Func<CancellationToken, Task<T2>> operation2, Func<CancellationToken, Task<T3>> operation3, Func<CancellationToken, Task<T4>> operation4, Func<CancellationToken, Task<T5>> operation5, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(operation1, nameof(operation1));
        ThrowHelper.ThrowIfNull(operation2, nameof(operation2));
        ThrowHelper.ThrowIfNull(operation3, nameof(operation3));
        ThrowHelper.ThrowIfNull(operation4, nameof(operation4));
        ThrowHelper.ThrowIfNull(operation5, nameof(operation5));
        var slots = new HeterogeneousSlots<T1, T2, T3, T4, T5>();
        return Completion.Then(GatherRunner<VoidResult>.Run(Sources.Of(slots.Bind(operation1, operation2, operation3, operation4, operation5)), 2, Validate.Unbounded, null, cancellationToken), slots, static s => (s.Value1, s.Value2, s.Value3, s.Value4, s.Value5));
    }
}
