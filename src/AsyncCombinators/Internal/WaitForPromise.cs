using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// One cold WaitFor call whose operation did not complete synchronously. An async method is the cheapest promise here:
/// its box is the returned task and is itself the continuation on the operation's task (no delegate, no completion
/// source). The operation's token source, the timer and the registration are released as soon as the operation
/// finishes, whoever wins.
/// </summary>
/// <typeparam name="T">The result type; <see cref="VoidResult"/> for operations without a value.</typeparam>
internal static class WaitForPromise<T>
{
    private static readonly Action<object?> s_cancel = static state => CancelSafely((CancellationTokenSource)state!);
    private static readonly TimerCallback s_onTimeout = static state => CancelSafely((CancellationTokenSource)state!);

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

        return Await(started, source, extras);
    }

    /// <remarks>
    /// Every parameter becomes a field of the async method's box, so the rarely needed ones (a TimeProvider timer, the
    /// caller's token and its registration) travel in <paramref name="extras"/>, which the common call does not allocate.
    /// </remarks>
    private static async Task<T> Await(Task started, CancellationTokenSource source, Extras? extras)
    {
        try
        {
            await started.ConfigureAwait(false);
            return started is Task<T> typed ? typed.Result : default!;
        }
        catch (OperationCanceledException exception) when (started.IsCanceled)
        {
            // The caller's cancellation wins over a timeout that also fired.
            extras?.Token.ThrowIfCancellationRequested();

            if (source.IsCancellationRequested)
            {
                // Only the timeout (or the caller's token, handled above) cancels the source.
                throw new TimeoutException("The operation did not complete within the timeout and was canceled (asyncio TimeoutError).", exception);
            }

            // Canceled by itself, with no timeout and no caller cancellation: that cancellation propagates.
            throw;
        }
        finally
        {
            if (extras is not null)
            {
                extras.Timer?.Dispose();
                Registrations.Release(extras.Registration);
            }

            source.Dispose();
        }
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
