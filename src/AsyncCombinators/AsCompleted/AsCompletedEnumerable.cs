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
    /// <summary>The distinct inputs, an array of the library's own.</summary>
    private readonly TTask[] _tasks;

    /// <summary>The limit of each enumeration, from GetAsyncEnumerator; <see cref="Timeout.InfiniteTimeSpan"/>: none.</summary>
    private readonly TimeSpan _timeout;

    /// <summary>The clock of the timeout.</summary>
    private readonly TimeProvider _timeProvider;

    /// <summary>The token given to the call.</summary>
    private readonly CancellationToken _cancellationToken;

    /// <summary>
    /// Task.WhenEach for these tasks (.NET 9+), used when there is neither a timeout nor a token: it attaches to the
    /// inputs without allocating per input. It cannot detach from inputs that never complete, so a timeout or a
    /// cancelable token takes the detachable path.
    /// </summary>
    private readonly Func<TTask[], IAsyncEnumerable<TTask>>? _whenEach;

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
    private sealed class Enumerator : IAsyncEnumerator<TTask>, IValueTaskSource<bool>, IInterruptible
    {
        private const int Running = 0;
        private const int TimedOut = 1;
        private const int Canceled = 2;
        private const int Disposed = 3;

        private static readonly Action<Task, object?> s_onInputCompleted = static (task, state) => ((Enumerator)state!).OnInputCompleted((TTask)task);
        private static readonly TimerCallback s_onTimeout = static state => ((Enumerator)state!).Stop(TimedOut, default);
        private static readonly Action<object?> s_onCanceled = static state => ((Enumerator)state!).OnCanceled();

        /// <summary>Guards the queue, the state and the hand-over to a waiting consumer.</summary>
        private readonly object _lock = new();

        /// <summary>The inputs.</summary>
        private readonly TTask[] _tasks;

        /// <summary>The inputs in completion order: yielded before <see cref="_head"/>, waiting to be yielded up to <see cref="_tail"/>.</summary>
        private readonly TTask?[] _queue;

        /// <summary>The token given to the call.</summary>
        private readonly CancellationToken _callToken;

        /// <summary>The token given to GetAsyncEnumerator (<c>WithCancellation</c>).</summary>
        private readonly CancellationToken _enumeratorToken;

        /// <summary>The consumer's MoveNextAsync, when it waits.</summary>
        private ManualResetValueTaskSourceCore<bool> _signal;

        /// <summary>A continuation per pending input: the source whose token removes them all; none when every input was complete.</summary>
        private CancellationTokenSource? _detach;

        /// <summary>The timer and the registrations on both tokens.</summary>
        private Interrupts _interrupts;

        /// <summary>The token that canceled the enumeration.</summary>
        private CancellationToken _canceledBy;

        /// <summary>The next queued input to yield.</summary>
        private int _head;

        /// <summary>The end of the queued inputs.</summary>
        private int _tail;

        /// <summary><see cref="Running"/>, or why the enumeration stopped.</summary>
        private int _state;

        /// <summary>Whether the consumer waits for the next input.</summary>
        private bool _waiting;

        public Enumerator(TTask[] tasks, TimeSpan timeout, TimeProvider timeProvider, CancellationToken callToken, CancellationToken enumeratorToken)
        {
            _tasks = tasks;
            _callToken = callToken;
            _enumeratorToken = enumeratorToken;
            _queue = new TTask?[tasks.Length];
            _signal.RunContinuationsAsynchronously = true;
            Current = null!;

            // Under the lock: an input that completes on another thread while this loop runs queues itself from its
            // continuation, and both would otherwise move the tail at once.
            lock (_lock)
            {
                foreach (TTask task in tasks)
                {
                    if (task.IsCompleted)
                    {
                        // Already complete: queued in input order, before anything that completes later.
                        _queue[_tail++] = task;
                    }
                    else
                    {
                        _detach ??= new CancellationTokenSource();
                        _ = task.ContinueWith(s_onInputCompleted, this, _detach.Token, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    }
                }
            }

            try
            {
                // With every input complete (no continuation), there is nothing left for a timeout to cut short.
                _interrupts.Arm(this, _detach is null ? Timeout.InfiniteTimeSpan : timeout, timeProvider, s_onTimeout, s_onCanceled, callToken, enumeratorToken);
            }
            catch (Exception)
            {
                // A TimeProvider is user code, and its CreateTimer may throw: remove the continuations from the inputs
                // before the exception leaves GetAsyncEnumerator.
                Stop(Disposed, default);
                throw;
            }
        }

        /// <inheritdoc/>
        public bool HasEnded => Volatile.Read(ref _state) != Running;

        public TTask Current { get; private set; }

        public ValueTask<bool> MoveNextAsync()
        {
            lock (_lock)
            {
                switch (_state)
                {
                    case Canceled:
                        // The same OperationCanceledException a waiting consumer gets (Task.FromCanceled would throw a
                        // TaskCanceledException), and a canceled ValueTask, through the signal.
                        _signal.Reset();
                        _signal.SetException(new OperationCanceledException(_canceledBy));
                        return new ValueTask<bool>(this, _signal.Version);
                    case Disposed:
                        return new ValueTask<bool>(false);
                }

                if (_head < _tail)
                {
                    // Yielded slots keep their task: a timeout needs to know which tasks were already taken.
                    Current = _queue[_head++]!;
                    return new ValueTask<bool>(true);
                }

                if (_head != _tasks.Length)
                {
                    if (_state == TimedOut)
                    {
                        return new ValueTask<bool>(Task.FromException<bool>(CreateTimeoutException()));
                    }

                    _signal.Reset();
                    _waiting = true;
                    return new ValueTask<bool>(this, _signal.Version);
                }
            }

            // Everything was yielded: the enumeration has ended, so its timer and registrations go now, not only when
            // (or if) the consumer disposes it. Outside the lock: releasing may wait for a callback that takes it.
            Stop(Disposed, default);
            return new ValueTask<bool>(false);
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

        private void OnCanceled() => Stop(Canceled, _callToken.IsCancellationRequested ? _callToken : _enumeratorToken);

        private void OnInputCompleted(TTask task)
        {
            lock (_lock)
            {
                // The continuations are detached at the stop, but one may already be running.
                if (_state != Running)
                {
                    return;
                }

                _queue[_tail++] = task;
                if (!_waiting)
                {
                    return;
                }

                // The consumer waits, so the queue was empty: hand the task over directly.
                _waiting = false;
                Current = _queue[_head++]!;
            }

            _signal.SetResult(true);
        }

        private void Stop(int reason, CancellationToken token)
        {
            bool wake;
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
                _waiting = false;
            }

            _interrupts.Release();
            if (_detach is not null)
            {
                // Removes the continuations from the inputs that are still pending.
                _detach.Cancel();
                _detach.Dispose();
            }

            // Stopped, and the consumer waits: nothing else moves the queue, so the hand-over needs no lock.
            if (!wake)
            {
                return;
            }

            switch (reason)
            {
                case TimedOut when _head < _tail:
                    // An input may have completed with its continuation not run yet when the timer fired.
                    Current = _queue[_head++]!;
                    _signal.SetResult(true);
                    break;
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

        /// <summary>
        /// Queues, in input order, the inputs that completed before the deadline but whose continuation has not run yet
        /// (it may be on its way through the thread pool): every task completed before the deadline is yielded.
        /// </summary>
        private void QueueCompletedNotYetSeen()
        {
            if (_tail == _tasks.Length)
            {
                return;
            }

            var seen = new HashSet<TTask>(ReferenceComparer<TTask>.Instance);
            for (int i = 0; i < _tail; i++)
            {
                seen.Add(_queue[i]!);
            }

            // An input's continuation queues it as it completes, so only one still running when the timer fires is missing here.
            foreach (TTask task in _tasks)
            {
                if (task.IsCompleted && !seen.Contains(task))
                {
                    _queue[_tail++] = task;
                }
            }
        }
    }
}
