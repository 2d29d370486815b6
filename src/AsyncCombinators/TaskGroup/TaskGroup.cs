using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

/// <summary>
/// Structured concurrency: children started with <see cref="Run{T}(Func{CancellationToken, Task{T}})"/> share one token,
/// the first child failure cancels them all, and leaving the scope waits for every child (asyncio <c>TaskGroup</c>).
/// </summary>
/// <remarks>
/// <para>Failure: the first child that faults cancels <see cref="Token"/>. Leaving the scope waits for all children, then
/// throws an <see cref="AggregateException"/> holding every child failure (asyncio's <c>ExceptionGroup</c>). A child that
/// ends canceled is not a failure (as in asyncio), nor is an <see cref="OperationCanceledException"/> it throws.</para>
/// <para>Cancellation: the caller's token cancels <see cref="Token"/>; if no child failed, leaving the scope throws
/// <see cref="OperationCanceledException"/>. <see cref="Cancel"/> cancels every child, and the scope then ends without an
/// exception unless a child failed.</para>
/// <para>Children may start children until the group has finished. <c>await using</c> cannot see an exception thrown by
/// its body: prefer <see cref="RunAsync(Func{TaskGroup, Task}, CancellationToken)"/>, which counts a body exception as a
/// failure, exactly like asyncio's <c>async with</c> body.</para>
/// </remarks>
/// <example>
/// <code>
/// await TaskGroup.RunAsync(async group =>
/// {
///     Task&lt;User&gt; user = group.Run(ct => GetUserAsync(id, ct));
///     _ = group.Run(ct => AuditAsync(id, ct));   // the group awaits and observes it
///     Console.WriteLine((await user).Name);
/// }, cancellationToken);
/// </code>
/// </example>
public sealed class TaskGroup : IAsyncDisposable
{
    private static readonly Action<object?> s_onCallerCanceled = static state => ((TaskGroup)state!).CancelChildren();

    /// <summary>The source of the children's token. Plain (no timer), so it holds nothing to release and is never disposed.</summary>
    private readonly CancellationTokenSource _source = new();
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenRegistration _callerRegistration;
    private readonly object _lock = new();
    private List<Exception>? _failures;

    /// <summary>The body's exception once recorded, so that the same exception from a child is not recorded twice.</summary>
    private Exception? _bodyFailure;
    private TaskCompletionSource<bool>? _drained;

    /// <summary>The disposal that later calls return.</summary>
    private Task? _disposal;
    private int _running;
    private bool _canceled;
    private bool _disposing;
    private bool _finished;

    /// <summary>Initializes a new group that only its own failures or <see cref="Cancel"/> cancel.</summary>
    public TaskGroup()
        : this(CancellationToken.None)
    {
    }

    /// <summary>Initializes a new group whose children are also cancelled by <paramref name="cancellationToken"/>.</summary>
    /// <param name="cancellationToken">Cancels <see cref="Token"/>; leaving the scope then throws <see cref="OperationCanceledException"/> unless a child failed.</param>
    public TaskGroup(CancellationToken cancellationToken)
    {
        _callerToken = cancellationToken;
        if (cancellationToken.CanBeCanceled)
        {
            _callerRegistration = Registrations.Register(s_onCallerCanceled, this, cancellationToken);
        }
    }

    /// <summary>Gets the token every child receives: cancelled by the first child failure, <see cref="Cancel"/> or the caller's token.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Runs <paramref name="body"/> with a new group and waits for every child (asyncio <c>async with TaskGroup() as tg:</c>).</summary>
    /// <param name="body">The body; an exception it throws counts as a failure: it cancels the children and is included in the <see cref="AggregateException"/>.</param>
    /// <param name="cancellationToken">Cancels the group's token.</param>
    /// <returns>
    /// A task that completes when the body and every child have finished. It faults with an <see cref="AggregateException"/>
    /// holding every failure (body and children) and ends canceled when the caller's token cancelled the group and nothing failed.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is <see langword="null"/>.</exception>
    public static Task RunAsync(Func<TaskGroup, Task> body, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(body, nameof(body));
        return RunAsyncCore(body, cancellationToken);
    }

    /// <summary>Runs <paramref name="body"/> with a new group, waits for every child, and returns the body's value.</summary>
    /// <typeparam name="T">The body's result type.</typeparam>
    /// <param name="body">The body; an exception it throws counts as a failure: it cancels the children and is included in the <see cref="AggregateException"/>.</param>
    /// <param name="cancellationToken">Cancels the group's token.</param>
    /// <returns>
    /// A task with the body's value once every child has finished; failures as <see cref="RunAsync(Func{TaskGroup, Task}, CancellationToken)"/>.
    /// A body that <see cref="Cancel"/> ended without a value ends the task canceled: there is no value to return.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is <see langword="null"/>.</exception>
    public static Task<T> RunAsync<T>(Func<TaskGroup, Task<T>> body, CancellationToken cancellationToken = default)
    {
        ThrowHelper.ThrowIfNull(body, nameof(body));
        return RunAsyncCore(body, cancellationToken);
    }

    /// <summary>Starts a child operation with the group's token (asyncio <c>tg.create_task</c>).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The operation, started at once with <see cref="Token"/>; a synchronous throw counts as a fault.</param>
    /// <returns>The child's task. The group observes its exception; awaiting the task is optional.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The group has finished, a child has failed, or <see cref="Cancel"/> was called (asyncio: "TaskGroup is shutting down").</exception>
    public Task<T> Run<T>(Func<CancellationToken, Task<T>> operation)
    {
        ThrowHelper.ThrowIfNull(operation, nameof(operation));
        Enter();
        Task<T> child = Operations.Start(operation, _source.Token);
        Track(child);
        return child;
    }

    /// <summary>Starts a child operation without a value with the group's token (asyncio <c>tg.create_task</c>).</summary>
    /// <param name="operation">The operation, started at once with <see cref="Token"/>; a synchronous throw counts as a fault.</param>
    /// <returns>The child's task. The group observes its exception; awaiting the task is optional.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The group has finished, a child has failed, or <see cref="Cancel"/> was called.</exception>
    public Task Run(Func<CancellationToken, Task> operation)
    {
        ThrowHelper.ThrowIfNull(operation, nameof(operation));
        Enter();
        Task child = Operations.Start(operation, _source.Token);
        Track(child);
        return child;
    }

    /// <summary>
    /// Cancels every child (asyncio 3.15 <c>TaskGroup.cancel()</c>); leaving the scope then throws only if a child failed
    /// (an <see cref="AggregateException"/>) or the caller's token was cancelled too (<see cref="OperationCanceledException"/>).
    /// </summary>
    public void Cancel()
    {
        lock (_lock)
        {
            _canceled = true;
        }

        CancelChildren();
    }

    /// <summary>
    /// Waits for every child, including children started meanwhile, then throws an <see cref="AggregateException"/> of every
    /// child failure, or <see cref="OperationCanceledException"/> when the caller's token cancelled the group and nothing failed.
    /// Calling it again returns the same outcome.
    /// </summary>
    /// <returns>A task that completes when every child has finished.</returns>
    public ValueTask DisposeAsync()
    {
        Task? disposal = Volatile.Read(ref _disposal);
        if (disposal is null)
        {
            // Not under the lock: disposing releases the caller's registration, which on .NET Standard 2.0 waits for a
            // callback running on another thread, and that callback may call into the group. Of two first calls racing,
            // the disposal stored first is every call's; the other has the same outcome, and only needs observing.
            Task started = DisposeCoreAsync();
            disposal = Interlocked.CompareExchange(ref _disposal, started, null);
            if (disposal is null)
            {
                disposal = started;
            }
            else
            {
                _ = started.ContinueWith(static task => task.Observe(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        return new ValueTask(disposal);
    }

    private static async Task RunAsyncCore(Func<TaskGroup, Task> body, CancellationToken cancellationToken)
    {
        var group = new TaskGroup(cancellationToken);
        try
        {
            await Operations.Start(_ => body(group), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            group.OnBodyFailed(exception);
        }

        await group.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<T> RunAsyncCore<T>(Func<TaskGroup, Task<T>> body, CancellationToken cancellationToken)
    {
        var group = new TaskGroup(cancellationToken);
        T result = default!;
        Exception? bodyException = null;
        try
        {
            result = await Operations.Start(_ => body(group), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            bodyException = exception;
            group.OnBodyFailed(exception);
        }

        await group.DisposeAsync().ConfigureAwait(false);
        if (bodyException is not null)
        {
            // Cancel() ended the body without a failure: the group ends quietly, but there is no value to return.
            ExceptionDispatchInfo.Capture(bodyException).Throw();
        }

        return result;
    }

    private async Task DisposeCoreAsync()
    {
        Task? drained = null;
        lock (_lock)
        {
            _disposing = true;
            if (_running != 0)
            {
                _drained ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                drained = _drained.Task;
            }
            else
            {
                _finished = true;
            }
        }

        if (drained is not null)
        {
            await drained.ConfigureAwait(false);
        }

        Registrations.Release(_callerRegistration);
        List<Exception>? failures;
        lock (_lock)
        {
            failures = _failures;
        }

        if (failures is not null)
        {
            throw new AggregateException("One or more operations of the task group failed.", failures);
        }

        // The caller's token wins over Cancel(): the caller asked to be cancelled (asyncio: an outer cancellation
        // propagates as CancelledError even after TaskGroup.cancel()).
        _callerToken.ThrowIfCancellationRequested();
    }

    private void Enter()
    {
        lock (_lock)
        {
            if (_finished || _failures is not null || _canceled)
            {
                ThrowHelper.ThrowInvalidOperation(_finished
                    ? "The task group has finished: no more operations can be started."
                    : "The task group is shutting down (a child failed or it was cancelled): no more operations can be started.");
            }

            _running++;
        }
    }

    private void Track(Task child)
    {
        if (child.IsCompleted)
        {
            OnChildCompleted(child);
        }
        else
        {
            // A local of this block, so that only a pending child allocates the closure.
            Task pending = child;
            pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => OnChildCompleted(pending));
        }
    }

    private void OnChildCompleted(Task child)
    {
        if (child.IsFaulted)
        {
            // Reading Exception observes it. An OperationCanceledException is a cancellation, never a failure. Each inner
            // exception is judged on its own: a child that returns Task.WhenAll directly can fault with a cancellation and
            // a real failure together, and the failure must neither be lost nor come with the cancellation.
            List<Exception>? failures = null;
            foreach (Exception exception in child.Exception!.InnerExceptions)
            {
                if (exception is not OperationCanceledException)
                {
                    (failures ??= new List<Exception>()).Add(exception);
                }
            }

            if (failures is not null)
            {
                AddFailures(failures, fromBody: false);
            }
        }

        TaskCompletionSource<bool>? drained = null;
        lock (_lock)
        {
            _running--;
            if (_running == 0 && _disposing)
            {
                _finished = true;
                drained = _drained;
            }
        }

        drained?.TrySetResult(true);
    }

    private void OnBodyFailed(Exception exception)
    {
        if (exception is OperationCanceledException && (_callerToken.IsCancellationRequested || _source.IsCancellationRequested))
        {
            // The body saw the group's own cancellation: not a failure.
            // Whatever canceled the body (the caller's token or Cancel) has canceled the children already; this changes nothing then.
            CancelChildren();
            return;
        }

        AddFailures(new[] { exception }, fromBody: true);
    }

    /// <summary>
    /// Records failures. A body that awaits a failed child rethrows that child's very exception: it is one failure, recorded
    /// once, whichever of the two is seen first (asyncio's body sees a CancelledError there, so its group holds it once).
    /// </summary>
    private void AddFailures(IList<Exception> exceptions, bool fromBody)
    {
        bool first;
        lock (_lock)
        {
            first = _failures is null;
            _failures ??= new List<Exception>();
            foreach (Exception exception in exceptions)
            {
                if (fromBody)
                {
                    if (_failures.Exists(failure => ReferenceEquals(failure, exception)))
                    {
                        continue;
                    }

                    _bodyFailure = exception;
                }
                else if (ReferenceEquals(exception, _bodyFailure))
                {
                    continue;
                }

                _failures.Add(exception);
            }
        }

        if (first)
        {
            CancelChildren();
        }
    }

    private void CancelChildren() => Cancellation.CancelQuietly(_source);
}
