using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// The single promise behind one cold WaitFor call whose operation did not complete synchronously: it owns the
/// operation's token source, the timer and the registration on the caller's token, and releases all of them as soon as
/// the operation finishes, whoever wins.
/// </summary>
/// <typeparam name="T">The result type; <see cref="VoidResult"/> for operations without a value.</typeparam>
internal sealed class WaitForPromise<T> : TaskCompletionSource<T>
{
    private static readonly TimerCallback s_onTimeout = static state => ((WaitForPromise<T>)state!).OnTimeout();
    private static readonly Action<object?> s_onCanceled = static state => ((WaitForPromise<T>)state!).OnCallerCanceled();

    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _callerToken;
    private readonly TimeSpan _timeout;
    private Task _operation = null!;
    private ITimer? _timer;
    private CancellationTokenRegistration _registration;
    private int _timedOut;
    private int _finished;

    private WaitForPromise(CancellationTokenSource source, TimeSpan timeout, CancellationToken callerToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _source = source;
        _timeout = timeout;
        _callerToken = callerToken;
    }

    /// <summary>
    /// Completes one cold WaitFor call: <paramref name="started"/> is the operation, already started with the token of
    /// <paramref name="source"/>, which this call cancels on timeout or when the caller's token is canceled.
    /// </summary>
    public static Task<T> Run(Task started, CancellationTokenSource source, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (started.IsCompleted)
        {
            // Completed synchronously: its result stands, whatever the timeout (TimeSpan.Zero included).
            source.Dispose();
            return Map(started);
        }

        var promise = new WaitForPromise<T>(source, timeout, cancellationToken) { _operation = started };
        if (timeout == TimeSpan.Zero)
        {
            promise.OnTimeout();
        }
        else if (timeout != Timeout.InfiniteTimeSpan)
        {
            ITimer timer = timeProvider.CreateTimer(s_onTimeout, promise, timeout, Timeout.InfiniteTimeSpan);
            Volatile.Write(ref promise._timer, timer);
            if (Volatile.Read(ref promise._finished) != 0)
            {
                // The operation finished while the timer was being stored: the finishing path may not have seen it.
                promise.ReleaseTimer();
            }
        }

        if (cancellationToken.CanBeCanceled)
        {
            promise._registration = Registrations.Register(s_onCanceled, promise, cancellationToken);
            if (Volatile.Read(ref promise._finished) != 0)
            {
                Registrations.Release(promise._registration);
            }
        }

        started.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(promise.OnOperationCompleted);
        return promise.Task;
    }

    private static Task<T> Map(Task operation)
    {
        if (operation is Task<T> typed)
        {
            return typed;
        }

        if (operation.IsSucceeded())
        {
            return System.Threading.Tasks.Task.FromResult(default(T)!);
        }

        var promise = new TaskCompletionSource<T>();
        if (operation.IsFaulted)
        {
            promise.SetException(operation.Exception!.InnerExceptions);
        }
        else
        {
            promise.TrySetCanceled(Completion.CancellationTokenOf(operation));
        }

        return promise.Task;
    }

    private void OnTimeout()
    {
        Volatile.Write(ref _timedOut, 1);
        Cancel();
    }

    private void OnCallerCanceled() => Cancel();

    private void Cancel()
    {
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The operation finished and the source was released meanwhile: nothing to cancel.
        }
    }

    private void OnOperationCompleted()
    {
        Volatile.Write(ref _finished, 1);
        ReleaseTimer();
        Registrations.Release(_registration);

        Task operation = _operation;
        if (operation.IsSucceeded())
        {
            TrySetResult(operation is Task<T> typed ? typed.Result : default!);
        }
        else if (operation.IsFaulted)
        {
            TrySetException(operation.Exception!.InnerExceptions[0]);
        }
        else if (_callerToken.IsCancellationRequested)
        {
            // The caller's cancellation wins over a timeout that also fired.
            TrySetCanceled(_callerToken);
        }
        else if (Volatile.Read(ref _timedOut) != 0)
        {
            TrySetException(new TimeoutException(
                $"The operation did not complete within {_timeout} and was canceled (asyncio TimeoutError).",
                CaptureCancellation(operation)));
        }
        else
        {
            // Canceled by itself, with no timeout and no caller cancellation: that cancellation propagates.
            TrySetCanceled(Completion.CancellationTokenOf(operation));
        }

        _source.Dispose();
    }

    private static OperationCanceledException CaptureCancellation(Task canceled)
    {
        try
        {
            canceled.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException exception)
        {
            return exception;
        }

        return new TaskCanceledException(canceled);
    }

    private void ReleaseTimer() => Interlocked.Exchange(ref _timer, null)?.Dispose();
}
