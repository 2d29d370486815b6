using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// One cold WaitFor call whose operation did not complete synchronously. It is its own async state machine, written out:
/// the builder's box holds these four fields and is both the returned task and the continuation on the operation's task
/// (no delegate, no completion source), as for a compiler-generated async method; unlike one, it has no Start (which
/// saves and restores the thread's contexts around the first step) and no state to dispatch on, since it resumes once.
/// The operation's token source, the timer and the registration are released as soon as the operation finishes,
/// whoever wins, before the returned task completes.
/// </summary>
/// <typeparam name="T">The result type; <see cref="VoidResult"/> for operations without a value.</typeparam>
[StructLayout(LayoutKind.Auto)]
internal struct WaitForPromise<T> : IAsyncStateMachine
{
    private static readonly Action<object?> s_cancel = static state => CancelSafely((CancellationTokenSource)state!);
    private static readonly TimerCallback s_onTimeout = static state => CancelSafely((CancellationTokenSource)state!);

    private AsyncTaskMethodBuilder<T> _builder;
    private Task _started;
    private CancellationTokenSource _source;

    // The rarely needed parts (a TimeProvider timer, the caller's token and its registration): the common call does not
    // allocate them, and the box stays small.
    private Extras? _extras;

    /// <summary>
    /// Completes one cold WaitFor call: <paramref name="started"/> is the operation, already started with the token of
    /// <paramref name="source"/>, which this call cancels on timeout or when the caller's token is canceled.
    /// The caller has already returned an operation that completed synchronously.
    /// </summary>
    public static Task<T> Run(Task started, CancellationTokenSource source, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        Extras? extras = null;
        if (timeout == TimeSpan.Zero)
        {
            CancelSafely(source);
        }
        else if (timeout != Timeout.InfiniteTimeSpan)
        {
            if (ReferenceEquals(timeProvider, TimeProvider.System))
            {
                // The token source's own timer: cheaper than a TimeProvider timer, and released with the source.
                source.CancelAfter(timeout);
            }
            else
            {
                extras = new Extras { Timer = timeProvider.CreateTimer(s_onTimeout, source, timeout, Timeout.InfiniteTimeSpan) };
            }
        }

        if (cancellationToken.CanBeCanceled)
        {
            extras ??= new Extras();
            extras.Token = cancellationToken;
            extras.Registration = Registrations.Register(s_cancel, source, cancellationToken);
        }

        var machine = new WaitForPromise<T>
        {
            _builder = AsyncTaskMethodBuilder<T>.Create(),
            _started = started,
            _source = source,
            _extras = extras,
        };
        ConfiguredTaskAwaitable.ConfiguredTaskAwaiter awaiter = started.ConfigureAwait(false).GetAwaiter();
        // As compiled code does: the builder boxes this machine (with the builder inside it, which already points at the
        // box) and resumes it once the operation's task has completed.
        machine._builder.AwaitUnsafeOnCompleted(ref awaiter, ref machine);
        return machine._builder.Task;
    }

    /// <summary>Runs once, when the operation's task has completed: releases everything, then completes the returned task.</summary>
    void IAsyncStateMachine.MoveNext()
    {
        Task started = _started;
        T result;
        try
        {
            Release();
            // The operation's value, or its first exception or its cancellation, exactly as awaiting it would throw.
            if (started is Task<T> typed)
            {
                result = typed.GetAwaiter().GetResult();
            }
            else
            {
                started.GetAwaiter().GetResult();
                result = default!;
            }
        }
        catch (OperationCanceledException exception) when (Operations.EndedCanceled(started))
        {
            // Canceled, or faulted with a cancellation first (Task.Run(() => token.ThrowIfCancellationRequested()) without
            // the token): either way awaiting the operation throws OperationCanceledException, so it ended canceled.
            _builder.SetException(Canceled(exception));
            return;
        }
        catch (Exception exception)
        {
            // The operation's first exception, or one from a TimeProvider timer's Dispose: then the operation's own failure,
            // if any, was not read, and this call owns the operation, so it marks that failure observed.
            started.Observe();
            _builder.SetException(exception);
            return;
        }

        _builder.SetResult(result);
    }

    /// <summary>Part of the pattern; the builder of compiled code calls it only on .NET Framework.</summary>
    void IAsyncStateMachine.SetStateMachine(IAsyncStateMachine stateMachine) => _builder.SetStateMachine(stateMachine);

    private readonly void Release()
    {
        Extras? extras = _extras;
        try
        {
            extras?.Timer?.Dispose();
        }
        finally
        {
            if (extras is not null)
            {
                Registrations.Release(extras.Registration);
            }

            _source.Dispose();
        }
    }

    /// <summary>What the caller sees when the operation ended canceled.</summary>
    private readonly Exception Canceled(OperationCanceledException exception)
    {
        CancellationToken callerToken = _extras?.Token ?? CancellationToken.None;
        if (callerToken.IsCancellationRequested)
        {
            // The caller's cancellation wins over a timeout that also fired.
            return new OperationCanceledException(callerToken);
        }

        if (_source.IsCancellationRequested)
        {
            // Only the timeout (or the caller's token, handled above) cancels the source.
            return new TimeoutException("The operation did not complete within the timeout and was canceled (asyncio TimeoutError).", exception);
        }

        // Canceled by itself, with no timeout and no caller cancellation: that cancellation propagates.
        return exception;
    }

    private sealed class Extras
    {
        public ITimer? Timer;
        public CancellationTokenRegistration Registration;
        public CancellationToken Token;
    }

    private static void CancelSafely(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The operation finished and the source was released meanwhile: nothing to cancel.
        }
        catch (AggregateException)
        {
            // A callback the operation registered threw: the operation reports its own problems, if at all.
        }
    }
}
