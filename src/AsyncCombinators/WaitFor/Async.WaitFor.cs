using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

public static partial class Async
{
    /// <summary>Runs a cancellable operation with a time limit (asyncio <c>wait_for</c>, 3.12 semantics).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The operation, started at the call with a token that this call cancels on timeout.</param>
    /// <param name="timeout">The limit; <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <returns>The operation's value; see <see cref="WaitFor{T}(Func{CancellationToken, Task{T}}, TimeSpan, TimeProvider, CancellationToken)"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task<T> WaitFor<T>(Func<CancellationToken, Task<T>> operation, TimeSpan timeout) =>
        WaitFor(operation, timeout, TimeProvider.System, CancellationToken.None);

    /// <summary>Runs a cancellable operation with a time limit, until the caller cancels (asyncio <c>wait_for</c>, 3.12 semantics).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The operation, started at the call with a token that this call cancels on timeout or cancellation.</param>
    /// <param name="timeout">The limit; <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <param name="cancellationToken">Cancels the operation's token; WaitFor waits for the operation, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The operation's value; see <see cref="WaitFor{T}(Func{CancellationToken, Task{T}}, TimeSpan, TimeProvider, CancellationToken)"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task<T> WaitFor<T>(Func<CancellationToken, Task<T>> operation, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitFor(operation, timeout, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Runs a cancellable operation with a time limit on <paramref name="timeProvider"/>'s clock, until the caller cancels
    /// (asyncio <c>wait_for</c>, 3.12 semantics).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">
    /// The operation (cold), started at the call with a token that this call cancels on timeout or cancellation.
    /// A synchronous throw counts as a faulted task.
    /// </param>
    /// <param name="timeout">
    /// The limit; <see cref="Timeout.InfiniteTimeSpan"/>: none. <see cref="TimeSpan.Zero"/>: an operation that completed
    /// synchronously keeps its result, any other is cancelled at once as on a timeout.
    /// </param>
    /// <param name="timeProvider">The clock of the timeout.</param>
    /// <param name="cancellationToken">
    /// Cancels the operation's token; WaitFor waits for the operation to finish, then throws <see cref="OperationCanceledException"/>.
    /// Already canceled at the call: the operation is not started.
    /// </param>
    /// <returns>
    /// A task with the operation's value. On timeout the operation's token is cancelled and WaitFor WAITS for it to finish:
    /// if it returns a value anyway, that value is returned; if it faults, that exception propagates; if it ends canceled,
    /// awaiting throws <see cref="TimeoutException"/> whose inner exception is the operation's
    /// <see cref="OperationCanceledException"/> — or <see cref="OperationCanceledException"/> when the caller's token was
    /// cancelled too (the caller's cancellation wins). An operation that ends canceled by itself, before any timeout, ends the
    /// returned task canceled. The timer and the registration are released as soon as the operation finishes.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> or <paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    /// <example>
    /// <code>
    /// string body = await Async.WaitFor(ct => http.GetStringAsync(url, ct), TimeSpan.FromSeconds(2));
    /// </code>
    /// </example>
    public static Task<T> WaitFor<T>(Func<CancellationToken, Task<T>> operation, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ThrowHelper.ThrowIfNull(operation, nameof(operation));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        ThrowHelper.ThrowIfNull(timeProvider, nameof(timeProvider));
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        if (timeout == Timeout.InfiniteTimeSpan && !cancellationToken.CanBeCanceled)
        {
            // Nothing can cancel it: run it as it is.
            return Operations.Start(operation, CancellationToken.None);
        }

        var source = new CancellationTokenSource();
        Task<T> started = Operations.Start(operation, source.Token);
        if (started.IsCompleted)
        {
            // Completed synchronously: its result stands, whatever the timeout (TimeSpan.Zero included). Its token source
            // has no timer, no link and no registration of ours, so Dispose would release nothing (a token source has no
            // finalizer) and only make a token the operation kept throw on WaitHandle: it is left to the collector.
            return started;
        }

        return WaitForPending<T>(started, source, timeout, timeProvider, cancellationToken);
    }

    /// <summary>Runs a cancellable operation without a value, with a time limit (asyncio <c>wait_for</c>, 3.12 semantics).</summary>
    /// <param name="operation">The operation, started at the call with a token that this call cancels on timeout.</param>
    /// <param name="timeout">The limit; <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <returns>A task that completes with the operation; see <see cref="WaitFor{T}(Func{CancellationToken, Task{T}}, TimeSpan, TimeProvider, CancellationToken)"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task WaitFor(Func<CancellationToken, Task> operation, TimeSpan timeout) =>
        WaitFor(operation, timeout, TimeProvider.System, CancellationToken.None);

    /// <summary>Runs a cancellable operation without a value, with a time limit, until the caller cancels (asyncio <c>wait_for</c>).</summary>
    /// <param name="operation">The operation, started at the call with a token that this call cancels on timeout or cancellation.</param>
    /// <param name="timeout">The limit; <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <param name="cancellationToken">Cancels the operation's token; WaitFor waits for the operation, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>A task that completes with the operation; see <see cref="WaitFor{T}(Func{CancellationToken, Task{T}}, TimeSpan, TimeProvider, CancellationToken)"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task WaitFor(Func<CancellationToken, Task> operation, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitFor(operation, timeout, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Runs a cancellable operation without a value, with a time limit on <paramref name="timeProvider"/>'s clock, until the
    /// caller cancels (asyncio <c>wait_for</c>, 3.12 semantics). Semantics as
    /// <see cref="WaitFor{T}(Func{CancellationToken, Task{T}}, TimeSpan, TimeProvider, CancellationToken)"/>.
    /// </summary>
    /// <param name="operation">The operation (cold), started at the call with a token that this call cancels on timeout or cancellation.</param>
    /// <param name="timeout">The limit; <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <param name="timeProvider">The clock of the timeout.</param>
    /// <param name="cancellationToken">Cancels the operation's token; WaitFor waits for the operation, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>A task that completes when the operation does; awaiting throws <see cref="TimeoutException"/> when the timeout cancelled it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> or <paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task WaitFor(Func<CancellationToken, Task> operation, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ThrowHelper.ThrowIfNull(operation, nameof(operation));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        ThrowHelper.ThrowIfNull(timeProvider, nameof(timeProvider));
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (timeout == Timeout.InfiniteTimeSpan && !cancellationToken.CanBeCanceled)
        {
            return Operations.Start(operation, CancellationToken.None);
        }

        var source = new CancellationTokenSource();
        Task started = Operations.Start(operation, source.Token);
        if (started.IsCompleted)
        {
            // As above.
            return started;
        }

        return WaitForPending<VoidResult>(started, source, timeout, timeProvider, cancellationToken);
    }

    /// <summary>Waits for a running task with a time limit (asyncio <c>wait_for</c> on a task that cannot be cancelled; <c>Task.WaitAsync(TimeSpan)</c>).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The task (hot).</param>
    /// <param name="timeout">The limit; <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <returns>The task's value; on timeout awaiting throws <see cref="TimeoutException"/> at once and the task runs on.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task<T> WaitFor<T>(Task<T> task, TimeSpan timeout) =>
        WaitFor(task, timeout, TimeProvider.System, CancellationToken.None);

    /// <summary>Waits for a running task with a time limit, until the caller cancels (asyncio <c>wait_for</c> on a task that cannot be cancelled).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The task (hot).</param>
    /// <param name="timeout">The limit; <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <param name="cancellationToken">Cancels the waiting at once (awaiting throws <see cref="OperationCanceledException"/>); the task runs on.</param>
    /// <returns>The task's value; on timeout awaiting throws <see cref="TimeoutException"/> at once and the task runs on.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task<T> WaitFor<T>(Task<T> task, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitFor(task, timeout, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Waits for a running task with a time limit on <paramref name="timeProvider"/>'s clock, until the caller cancels
    /// (asyncio <c>wait_for</c> on a task that cannot be cancelled; <c>Task.WaitAsync(TimeSpan, TimeProvider, CancellationToken)</c>).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The task (hot): it cannot be cancelled, and runs on after a timeout or cancellation.</param>
    /// <param name="timeout">The limit; <see cref="Timeout.InfiniteTimeSpan"/>: none; <see cref="TimeSpan.Zero"/>: the task must already be complete.</param>
    /// <param name="timeProvider">The clock of the timeout.</param>
    /// <param name="cancellationToken">Cancels the waiting at once (awaiting throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>
    /// The task itself when it has already completed; otherwise a task with its outcome, or that throws
    /// <see cref="TimeoutException"/> at once on timeout. Nothing stays attached to the task, and the timer and registration
    /// are released, once the returned task completes.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> or <paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task<T> WaitFor<T>(Task<T> task, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ThrowHelper.ThrowIfNull(task, nameof(task));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        ThrowHelper.ThrowIfNull(timeProvider, nameof(timeProvider));
        return task.WaitAsync(timeout, SafeDisposeTimeProvider.Wrap(timeProvider), cancellationToken);
    }

    /// <summary>Waits for a running task with a time limit (asyncio <c>wait_for</c> on a task that cannot be cancelled).</summary>
    /// <param name="task">The task (hot).</param>
    /// <param name="timeout">The limit; <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <returns>A task with the task's outcome; on timeout awaiting throws <see cref="TimeoutException"/> at once and the task runs on.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task WaitFor(Task task, TimeSpan timeout) =>
        WaitFor(task, timeout, TimeProvider.System, CancellationToken.None);

    /// <summary>Waits for a running task with a time limit, until the caller cancels (asyncio <c>wait_for</c> on a task that cannot be cancelled).</summary>
    /// <param name="task">The task (hot).</param>
    /// <param name="timeout">The limit; <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <param name="cancellationToken">Cancels the waiting at once (awaiting throws <see cref="OperationCanceledException"/>); the task runs on.</param>
    /// <returns>A task with the task's outcome; on timeout awaiting throws <see cref="TimeoutException"/> at once and the task runs on.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task WaitFor(Task task, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitFor(task, timeout, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Waits for a running task with a time limit on <paramref name="timeProvider"/>'s clock, until the caller cancels
    /// (asyncio <c>wait_for</c> on a task that cannot be cancelled; <c>Task.WaitAsync(TimeSpan, TimeProvider, CancellationToken)</c>).
    /// </summary>
    /// <param name="task">The task (hot): it cannot be cancelled, and runs on after a timeout or cancellation.</param>
    /// <param name="timeout">The limit; <see cref="Timeout.InfiniteTimeSpan"/>: none.</param>
    /// <param name="timeProvider">The clock of the timeout.</param>
    /// <param name="cancellationToken">Cancels the waiting at once (awaiting throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>The task itself when it has already completed; otherwise a task with its outcome, or that throws <see cref="TimeoutException"/> on timeout.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> or <paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="uint.MaxValue"/> - 1 milliseconds (about 49.7 days).</exception>
    public static Task WaitFor(Task task, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ThrowHelper.ThrowIfNull(task, nameof(task));
        ThrowHelper.ValidateTimeout(timeout, nameof(timeout));
        ThrowHelper.ThrowIfNull(timeProvider, nameof(timeProvider));
        return task.WaitAsync(timeout, SafeDisposeTimeProvider.Wrap(timeProvider), cancellationToken);
    }
    /// <summary>
    /// Arms what cancels <paramref name="source"/> for a cold WaitFor whose operation did not complete synchronously:
    /// the timeout (the source's own timer on the system clock) and the caller's token.
    /// </summary>
    /// <typeparam name="T">The result type; <see cref="VoidResult"/> for an operation without a value.</typeparam>
    private static Task<T> WaitForPending<T>(Task started, CancellationTokenSource source, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        WaitForCancellers? cancellers = null;
        if (timeout == TimeSpan.Zero)
        {
            Cancellation.CancelQuietly(source);
        }
        else if (timeout != Timeout.InfiniteTimeSpan)
        {
            if (ReferenceEquals(timeProvider, TimeProvider.System))
            {
                // The token source's own timer, released with the source.
                source.CancelAfter(timeout);
            }
            else
            {
                ITimer timer;
                try
                {
                    timer = timeProvider.CreateTimer(Cancellation.CancelSourceOnTimer, source, timeout, Timeout.InfiniteTimeSpan);
                }
                catch (Exception exception)
                {
                    // A TimeProvider is user code. The operation has started and WaitFor owns it: cancel it, wait for it
                    // and observe its outcome, then report the TimeProvider's failure.
                    Cancellation.CancelQuietly(source);
                    return WaitForWithoutTimer<T>(started, source, ExceptionDispatchInfo.Capture(exception));
                }

                cancellers = new WaitForCancellers { Timer = timer };
            }
        }

        if (cancellationToken.CanBeCanceled)
        {
            cancellers ??= new WaitForCancellers();
            cancellers.Token = cancellationToken;
            cancellers.Registration = Registrations.Register(Cancellation.CancelSource, source, cancellationToken);
        }

        return WaitForCore<T>(started, source, cancellers);
    }

    /// <summary>
    /// Waits for the operation, then releases the timer, the registration and the token source, before the returned task
    /// completes, and turns a cancellation that the timeout caused into a <see cref="TimeoutException"/>.
    /// </summary>
    /// <typeparam name="T">The result type; <see cref="VoidResult"/> for an operation without a value.</typeparam>
    private static async Task<T> WaitForCore<T>(Task started, CancellationTokenSource source, WaitForCancellers? cancellers)
    {
        try
        {
            await started.ConfigureAwait(false);
            return started is Task<T> typed ? typed.Result : default!;
        }
        catch (OperationCanceledException exception) when (Operations.EndedCanceled(started))
        {
            // The caller's cancellation wins over a timeout that also fired.
            cancellers?.Token.ThrowIfCancellationRequested();
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
            try
            {
                // A TimeProvider is user code: its timer's Dispose may throw, and the caller then sees that exception.
                cancellers?.Timer?.Dispose();
            }
            finally
            {
                if (cancellers is not null)
                {
                    Registrations.Release(cancellers.Registration);
                }

                source.Dispose();
            }
        }
    }

    /// <summary>
    /// A cold WaitFor whose timer could not be created: waits for the cancelled operation, observing whatever it ends with,
    /// releases its token source, then throws <paramref name="timerFailure"/>.
    /// </summary>
    /// <typeparam name="T">The result type; <see cref="VoidResult"/> for an operation without a value.</typeparam>
    private static async Task<T> WaitForWithoutTimer<T>(Task started, CancellationTokenSource source, ExceptionDispatchInfo timerFailure)
    {
        try
        {
            await started.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Observed: the TimeProvider's failure is what the caller sees.
        }
        finally
        {
            source.Dispose();
        }

        timerFailure.Throw();
        return default!;
    }

    /// <summary>
    /// The parts of a cold WaitFor that the common call (the system clock, no caller token) does not need: kept out of the
    /// async method's state, which every pending call allocates, so that it stays within the allocation target.
    /// </summary>
    private sealed class WaitForCancellers
    {
        /// <summary>The timer of a <see cref="TimeProvider"/> other than the system's.</summary>
        public ITimer? Timer;

        /// <summary>The registration on the caller's token.</summary>
        public CancellationTokenRegistration Registration;

        /// <summary>The caller's token.</summary>
        public CancellationToken Token;
    }
}
