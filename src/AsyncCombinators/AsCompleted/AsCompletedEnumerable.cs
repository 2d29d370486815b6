using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace AsyncCombinators.Internal;

/// <summary>
/// The validated, de-duplicated inputs of one AsCompleted call. Each <see cref="GetAsyncEnumerator"/> starts an
/// independent enumeration whose timeout is measured from that moment.
/// </summary>
/// <typeparam name="TTask">The input task type.</typeparam>
internal sealed class AsCompletedEnumerable<TTask> : IAsyncEnumerable<TTask>
    where TTask : Task
{
    private readonly TTask[] _tasks;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationToken _cancellationToken;
    private readonly Func<TTask[], IAsyncEnumerable<TTask>>? _whenEach;

    // whenEach: Task.WhenEach for these tasks (.NET 9+), used when there is neither a timeout nor a token: it attaches
    // to the inputs without allocating per input. It cannot detach from inputs that never complete, so a timeout or a
    // cancelable token takes the detachable path.
    public AsCompletedEnumerable(TTask[] tasks, TimeSpan timeout, TimeProvider timeProvider, Func<TTask[], IAsyncEnumerable<TTask>>? whenEach, CancellationToken cancellationToken)
    {
        _tasks = tasks;
        _timeout = timeout;
        _timeProvider = timeProvider;
        _cancellationToken = cancellationToken;
        _whenEach = whenEach;
    }

    public IAsyncEnumerator<TTask> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        // Stryker disable once Equality,Block : WhenEach and the enumerator below yield the same sequence; WhenEach is only cheaper.
        if (_whenEach is not null && _timeout == Timeout.InfiniteTimeSpan && !_cancellationToken.CanBeCanceled && !cancellationToken.CanBeCanceled)
        {
            return _whenEach(_tasks).GetAsyncEnumerator(CancellationToken.None);
        }

        return new Enumerator(_tasks, _timeout, _timeProvider, _cancellationToken, cancellationToken);
    }

    /// <summary>
    /// One enumeration: a continuation per pending input appends it to a queue in completion order; MoveNextAsync takes
    /// from the queue or waits. The continuations are registered with a private token, so a timeout, a cancellation or
    /// disposal removes them from inputs that may never complete.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The enumerator disposes its token source when it stops.")]
    private sealed class Enumerator : IAsyncEnumerator<TTask>, IValueTaskSource<bool>
    {
        private const int Running = 0;
        private const int TimedOut = 1;
        private const int Canceled = 2;
        private const int Disposed = 3;

        private static readonly Action<Task, object?> s_onInputCompleted = static (task, state) => ((Enumerator)state!).OnInputCompleted((TTask)task);
        private static readonly TimerCallback s_onTimeout = static state => ((Enumerator)state!).Stop(TimedOut, default);
        private static readonly Action<object?> s_onCanceled = static state => ((Enumerator)state!).OnCanceled();

        private readonly object _lock = new();
        private readonly TTask[] _tasks;
        private readonly TTask?[] _queue;
        private readonly int _count;
        private ManualResetValueTaskSourceCore<bool> _signal;
        private CancellationTokenSource? _detach;
        private ITimer? _timer;
        private CancellationTokenRegistration _registration1;
        private CancellationTokenRegistration _registration2;
        private readonly CancellationToken _token1;
        private readonly CancellationToken _token2;
        private CancellationToken _canceledBy;
        private int _head;
        private int _tail;
        private int _state;
        private bool _waiting;

        public Enumerator(TTask[] tasks, TimeSpan timeout, TimeProvider timeProvider, CancellationToken token1, CancellationToken token2)
        {
            _tasks = tasks;
            _count = tasks.Length;
            _token1 = token1;
            _token2 = token2;
            _queue = new TTask?[tasks.Length];
            _signal.RunContinuationsAsynchronously = true;
            Current = null!;

            CancellationToken detachToken = default;
            foreach (TTask task in tasks)
            {
                if (task.IsCompleted)
                {
                    // Already complete: queued in input order, before anything that completes later.
                    _queue[_tail++] = task;
                }
                else
                {
                    if (_detach is null)
                    {
                        _detach = new CancellationTokenSource();
                        detachToken = _detach.Token;
                    }

                    _ = task.ContinueWith(s_onInputCompleted, this, detachToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }

            if (timeout != Timeout.InfiniteTimeSpan && _tail < _count)
            {
                ITimer timer = timeProvider.CreateTimer(s_onTimeout, this, timeout, Timeout.InfiniteTimeSpan);
                Volatile.Write(ref _timer, timer);
                if (Volatile.Read(ref _state) != Running)
                {
                    ReleaseTimer();
                }
            }

            _registration1 = RegisterCancellation(token1);
            // Stryker disable once all : registering the same token twice is harmless; once is enough.
            _registration2 = token2 == token1 ? default : RegisterCancellation(token2);
        }

        public TTask Current { get; private set; }

        public ValueTask<bool> MoveNextAsync()
        {
            lock (_lock)
            {
                switch (_state)
                {
                    case Canceled:
                        return new ValueTask<bool>(Task.FromCanceled<bool>(_canceledBy));
                    case Disposed:
                        return new ValueTask<bool>(false);
                }

                if (_head < _tail)
                {
                    // Yielded slots keep their task: a timeout needs to know which tasks were already taken.
                    Current = _queue[_head++]!;
                    return new ValueTask<bool>(true);
                }

                if (_head == _count)
                {
                    return new ValueTask<bool>(false);
                }

                if (_state == TimedOut)
                {
                    return new ValueTask<bool>(Task.FromException<bool>(CreateTimeoutException()));
                }

                _signal.Reset();
                _waiting = true;
                return new ValueTask<bool>(this, _signal.Version);
            }
        }

        public ValueTask DisposeAsync()
        {
            Stop(Disposed, default);
            return default;
        }

        bool IValueTaskSource<bool>.GetResult(short token) => _signal.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

        void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _signal.OnCompleted(continuation, state, token, flags);

        private static TimeoutException CreateTimeoutException() =>
            new("AsCompleted timed out before every task completed (asyncio TimeoutError).");

        private CancellationTokenRegistration RegisterCancellation(CancellationToken token)
        {
            // Stryker disable once all : a registration on a token that cannot be canceled is a no-op, and one made after the stop is released below.
            if (!token.CanBeCanceled || Volatile.Read(ref _state) != Running)
            {
                return default;
            }

            CancellationTokenRegistration registration = Registrations.Register(s_onCanceled, this, token);
            // Stryker disable once all : race only: the enumeration stopped between the check above and the registration.
            if (Volatile.Read(ref _state) != Running)
            {
                Registrations.Release(registration);
            }

            return registration;
        }

        private void OnCanceled() => Stop(Canceled, _token1.IsCancellationRequested ? _token1 : _token2);

        private void OnInputCompleted(TTask task)
        {
            lock (_lock)
            {
                // Stryker disable once all : race only: the continuations are detached at the stop, but one may already be running.
                if (_state != Running)
                {
                    return;
                }

                if (!_waiting)
                {
                    _queue[_tail++] = task;
                    return;
                }

                // The consumer waits, so the queue is empty: hand the task over directly.
                _waiting = false;
                _queue[_tail++] = task;
                _head++;
                Current = task;
            }

            _signal.SetResult(true);
        }

        private void Stop(int reason, CancellationToken token)
        {
            bool wake;
            bool handOver = false;
            lock (_lock)
            {
                if (_state != Running)
                {
                    return;
                }

                _state = reason;
                _canceledBy = token;
                if (reason == TimedOut)
                {
                    QueueCompletedNotYetSeen();
                }

                wake = _waiting;
                // Stryker disable once all : after the stop no MoveNextAsync waits again, so the flag is never read.
                _waiting = false;
                // Stryker disable once all : race only: an input completed but its continuation had not run yet when the timer fired (stress RaceTests).
                if (wake && _head < _tail && reason == TimedOut)
                {
                    Current = _queue[_head++]!;
                    handOver = true;
                }
            }

            ReleaseTimer();
            Registrations.Release(_registration1);
            Registrations.Release(_registration2);
            if (_detach is not null)
            {
                // Removes the continuations from the inputs that are still pending.
                _detach.Cancel();
                // Stryker disable once all : a token source without a timer or a wait handle holds nothing to release.
                _detach.Dispose();
            }

            // Stryker disable once all : race only, see above.
            if (handOver)
            {
                _signal.SetResult(true);
                return;
            }

            if (wake)
            {
                switch (reason)
                {
                    case TimedOut:
                        _signal.SetException(CreateTimeoutException());
                        break;
                    case Canceled:
                        _signal.SetException(new OperationCanceledException(token));
                        break;
                    default:
                        _signal.SetResult(false);
                        break;
                }
            }
        }

        /// <summary>
        /// Queues, in input order, the inputs that completed before the deadline but whose continuation has not run yet
        /// (it may be on its way through the thread pool): every task completed before the deadline is yielded.
        /// </summary>
        private void QueueCompletedNotYetSeen()
        {
            // Stryker disable once all : the early exit only skips a pass that would find nothing to add.
            if (_tail == _count)
            {
                return;
            }

            var seen = new HashSet<TTask>(ReferenceComparer<TTask>.Instance);
            // Stryker disable once all : the slot after the tail is empty and matches no task.
            for (int i = 0; i < _tail; i++)
            {
                seen.Add(_queue[i]!);
            }

            // Stryker disable once all : race only: an input's continuation queues it as it completes, so only one still running when the timer fires is missing here.
            foreach (TTask task in _tasks)
            {
                if (task.IsCompleted && !seen.Contains(task))
                {
                    _queue[_tail++] = task;
                }
            }
        }

        private void ReleaseTimer() => Interlocked.Exchange(ref _timer, null)?.Dispose();
    }
}
