using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// Runs the operations of a <see cref="WorkSource"/> in source order, each with the token of one private
/// <see cref="CancellationTokenSource"/>, while at most <c>maxConcurrency</c> items hold a slot.
/// </summary>
/// <remarks>
/// <para>One launcher at a time (the pump) reads the source, passes the rate gates and starts operations; a thread that
/// finds the pump busy only counts a request, which the pump drains before it lets go. So starts keep source order and
/// none follows a stop, even when operations complete on several threads at once, and an operation that completes
/// synchronously is handled in the pump's loop, at no stack depth.</para>
/// <para>Starts run where the caller runs: on its <see cref="SynchronizationContext"/>, else on its
/// <see cref="TaskScheduler"/>, captured at construction, with its <see cref="ExecutionContext"/>. A pump needed on
/// another thread is posted there. Completing operations, releasing slots and stopping never post.</para>
/// </remarks>
internal abstract class OperationRunner
{
    private static readonly Action<object?> s_onCallerCanceled = static state => ((OperationRunner)state!).OnCallerCanceled();
    private static readonly SendOrPostCallback s_pumpPosted = static state => ((OperationRunner)state!).RunPostedPump();
    private static readonly Action<object?> s_pumpScheduled = static state => ((OperationRunner)state!).RunPostedPump();
    private static readonly ContextCallback s_pump = static state => _ = ((OperationRunner)state!).PumpAsync();

    /// <summary>Where the operations come from.</summary>
    private readonly WorkSource _source;

    /// <summary>How many items may hold a slot at once.</summary>
    private readonly int _maxConcurrency;

    /// <summary>The MaxPerSecond and RateLimiter gates, if the options set any.</summary>
    private readonly RateGate? _gate;

    /// <summary>The source of every operation's token; cancelled by <see cref="Stop"/>. Plain (no timer), so never disposed.</summary>
    private readonly CancellationTokenSource _operationsTokenSource = new();

    /// <summary>Guards the counters and flags below.</summary>
    private readonly object _lock = new();

    /// <summary>Where the caller runs: starts run there, with its execution context (AsyncLocal values flow into operations).</summary>
    private readonly CallerContext _callerContext;

    /// <summary>The registration on the caller's token.</summary>
    private CancellationTokenRegistration _callerRegistration;

    /// <summary>Continuation holders of finished operations, kept for the next ones (a linked stack).</summary>
    private RunningOperation? _idle;

    /// <summary>Requests for the pump; whoever raises it from zero runs the pump, which drains every request before it lets go.</summary>
    private int _pumpRequests;

    /// <summary>1 while a pump posted to the caller's context has not begun; whoever swaps it to 0 runs that pump.</summary>
    private int _pumpPosted;

    /// <summary>How many operations have been started; also the index of the next.</summary>
    private int _started;

    /// <summary>How many started operations have not finished.</summary>
    private int _running;

    /// <summary>How many items hold a slot: from taking the item until <see cref="OnOperationCompleted"/> or <see cref="ReleaseSlot"/> lets it go.</summary>
    private int _slotsHeld;

    /// <summary>How many operations may be started in all (FirstSuccessful's stagger raises it one by one).</summary>
    private int _startLimit = int.MaxValue;

    /// <summary>Whether nothing more may start.</summary>
    private bool _stopped;

    /// <summary>Whether the source has no more items.</summary>
    private bool _exhausted;

    /// <summary>Whether the pump has disposed the source (after a stop or the end).</summary>
    private bool _sourceClosed;

    /// <summary>Whether <see cref="OnAllStopped"/> has been called.</summary>
    private bool _finished;

    /// <summary>Whether the launcher is handling an operation that completed as it started; only the launcher writes it.</summary>
    private bool _completingAtStart;

    protected OperationRunner(WorkSource source, int maxConcurrency, ConcurrencyOptions? options, CancellationToken callerToken)
        : this(source, maxConcurrency, options, CallerContext.Capture(), callerToken)
    {
    }

    protected OperationRunner(WorkSource source, int maxConcurrency, ConcurrencyOptions? options, CallerContext callerContext, CancellationToken callerToken)
    {
        _source = source;
        _maxConcurrency = options?.MaxConcurrency ?? maxConcurrency;
        _gate = RateGate.Create(options);
        CallerToken = callerToken;
        _callerContext = callerContext;
    }

    /// <summary>Gets the caller's token.</summary>
    protected CancellationToken CallerToken { get; }

    /// <summary>Gets the token every operation receives.</summary>
    protected CancellationToken OperationsToken => _operationsTokenSource.Token;

    /// <summary>Gets a value indicating whether the runner cancelled the operations' token itself.</summary>
    protected bool CanceledOperations => _operationsTokenSource.IsCancellationRequested;

    /// <summary>Gets a value indicating whether the caller's token stopped the run.</summary>
    protected bool StoppedByCaller { get; private set; }

    /// <summary>
    /// Gets a value indicating whether the current <see cref="OnOperationCompleted"/> call may come from the launcher, in
    /// the middle of its starts (the operation completed as it started). Code run there holds up every start after it.
    /// </summary>
    protected bool MayBeCompletingAtStart => Volatile.Read(ref _completingAtStart);

    /// <summary>Gets how many operations have been started.</summary>
    protected int Started
    {
        get
        {
            lock (_lock)
            {
                return _started;
            }
        }
    }

    /// <summary>Starts the first operations (none when the caller's token is already canceled).</summary>
    protected void Begin()
    {
        if (CallerToken.IsCancellationRequested)
        {
            OnCallerCanceled();
            return;
        }

        if (CallerToken.CanBeCanceled)
        {
            _callerRegistration = Registrations.Register(s_onCallerCanceled, this, CallerToken);
        }

        RequestPump();
    }

    /// <summary>Starts no more operations and cancels the running ones' token.</summary>
    protected void Stop()
    {
        RefuseStarts();
        Cancellation.CancelQuietly(_operationsTokenSource);
        RequestPump();
    }

    /// <summary>Starts no more operations and lets the running ones finish.</summary>
    protected void StopStarting()
    {
        RefuseStarts();
        RequestPump();
    }

    /// <summary>
    /// Starts nothing more from here on, without cancelling the running operations or waking the launcher. For a subclass
    /// about to do what may free a slot at once (Merge closing its channel ends every source holding an item): no start
    /// may land in that slot before the <see cref="Stop"/> that must follow.
    /// </summary>
    protected void RefuseStarts()
    {
        lock (_lock)
        {
            _stopped = true;
        }
    }

    /// <summary>Lets go of a slot that <see cref="OnOperationCompleted"/> kept (Map: the result was handed to the consumer).</summary>
    protected void ReleaseSlot()
    {
        if (FreeSlots(running: 0, slots: 1))
        {
            RequestPump();
        }
    }

    /// <summary>Allows only <paramref name="count"/> starts until <see cref="AllowStarts"/> raises the limit.</summary>
    protected void LimitStarts(int count) => _startLimit = count;

    /// <summary>
    /// Allows <paramref name="count"/> starts in all, if fewer were allowed (FirstSuccessful: the stagger delay passed, or
    /// the latest operation failed; when both happen, the next operation still starts once).
    /// </summary>
    protected void AllowStarts(int count)
    {
        lock (_lock)
        {
            _startLimit = Math.Max(_startLimit, count);
        }

        RequestPump();
    }

    /// <summary>
    /// Called once for every started operation, when its task has completed (its exception is observed by then), before it
    /// counts as finished. Returns whether its slot is free now; otherwise <see cref="ReleaseSlot"/> frees it later.
    /// </summary>
    protected abstract bool OnOperationCompleted(int index, Task task);

    /// <summary>Called once, when nothing more will start, no started operation is running and the source is disposed.</summary>
    protected abstract void OnAllStopped();

    /// <summary>Called when reading or disposing the source throws (not when it ends canceled after a stop).</summary>
    protected abstract void OnSourceFailed(Exception exception);

    /// <summary>Called when disposing the source throws (not when it ends canceled after a stop); by default a source failure.</summary>
    protected virtual void OnSourceDisposeFailed(Exception exception) => OnSourceFailed(exception);

    /// <summary>Called when the caller's token is canceled, before the running operations are canceled.</summary>
    protected virtual void OnCallerCanceledCore()
    {
    }

    /// <summary>Called by the launcher just before operation <paramref name="index"/> starts.</summary>
    protected virtual void OnStarting(int index)
    {
    }

    private void OnCallerCanceled()
    {
        lock (_lock)
        {
            // Nothing starts from here on, not even in a slot that the core frees at once (a Merge source holding an
            // item ends when the channel closes); the source is closed only once Stop has run.
            StoppedByCaller = true;
        }

        OnCallerCanceledCore();
        Stop();
    }

    private bool CanStartLocked() =>
        !_stopped && !StoppedByCaller && !_exhausted && _slotsHeld < _maxConcurrency && _started < _startLimit;

    private void RequestPump()
    {
        // After a stop nothing more starts, so a pump needed then (which only disposes the source and ends the run) runs
        // here, not on the context: also one posted there before the stop and not begun yet, which a caller blocking its
        // context until the run ends would otherwise keep waiting.
        if (Interlocked.Increment(ref _pumpRequests) != 1)
        {
            if (Volatile.Read(ref _stopped))
            {
                RunPostedPump();
            }

            return;
        }

        if (_callerContext.IsSpecific && !Volatile.Read(ref _stopped) && !_callerContext.IsCurrent())
        {
            // Exchange, not a plain write: with the read of _stopped below it pairs with a stop's increment above, so that
            // a stop coming meanwhile either takes the posted pump over or is seen here.
            Interlocked.Exchange(ref _pumpPosted, 1);
            _callerContext.Post(s_pumpPosted, s_pumpScheduled, this);
            if (Volatile.Read(ref _stopped))
            {
                RunPostedPump();
            }
        }
        else
        {
            PumpInCallersExecutionContext();
        }
    }

    /// <summary>Runs the posted pump, unless it has begun already (on the context, or taken over by a stop).</summary>
    private void RunPostedPump()
    {
        if (Interlocked.Exchange(ref _pumpPosted, 0) == 1)
        {
            PumpInCallersExecutionContext();
        }
    }

    private void PumpInCallersExecutionContext()
    {
        ExecutionContext? executionContext = _callerContext.ExecutionContext;
        if (executionContext is null || ReferenceEquals(ExecutionContext.Capture(), executionContext))
        {
            _ = PumpAsync();
        }
        else
        {
            // CreateCopy: .NET Framework forbids running one captured context twice at once; on .NET it is the same object.
            ExecutionContext.Run(executionContext.CreateCopy(), s_pump, this);
        }
    }

    /// <summary>The launcher: runs until every request it saw, and every one made meanwhile, is served.</summary>
    private async Task PumpAsync()
    {
        int requests = Volatile.Read(ref _pumpRequests);
        while (true)
        {
            if (!_sourceClosed)
            {
                await StartWhileAllowedAsync().ConfigureAwait(false);
                bool close;
                lock (_lock)
                {
                    close = _stopped || _exhausted;
                }

                if (close)
                {
                    await CloseSourceAsync().ConfigureAwait(false);
                }
            }

            int left = Interlocked.Add(ref _pumpRequests, -requests);
            if (left == 0)
            {
                break;
            }

            requests = left;
        }

        TryFinish();
    }

    private async Task StartWhileAllowedAsync()
    {
        CancellationToken token = _operationsTokenSource.Token;
        while (true)
        {
            lock (_lock)
            {
                if (!CanStartLocked())
                {
                    return;
                }

                _slotsHeld++;
            }

            // The waits below resume where they end, off the caller's context: a stop while waiting needs nothing from
            // there (a caller may be blocking it until the run ends), and a start goes back there first.
            bool offContext = false;
            bool hasItem;
            try
            {
                ValueTask<bool> move = _source.MoveNextAsync(token);
                if (move.IsCompletedSuccessfully)
                {
                    hasItem = move.Result;
                }
                else
                {
                    offContext = true;
                    hasItem = await move.ConfigureAwait(false);
                }
            }
            catch (Exception exception)
            {
                FreeSlots(running: 0, slots: 1);
                if (!EndedByStop(exception))
                {
                    OnSourceFailed(exception);
                }

                return;
            }

            if (!hasItem)
            {
                lock (_lock)
                {
                    _slotsHeld--;
                    _exhausted = true;
                }

                return;
            }

            if (_source.IsKnownExhausted)
            {
                // The last item: the pump closes the source after starting it, so that no completion has to post a pump
                // to the caller's context only to find the end.
                lock (_lock)
                {
                    _exhausted = true;
                }
            }

            RateLimitLease? lease = null;
            Exception? gateFailure = null;
            if (_gate is not null)
            {
                try
                {
                    ValueTask<RateLimitLease?> pass = _gate.PassAsync(token);
                    if (pass.IsCompletedSuccessfully)
                    {
                        lease = pass.Result;
                    }
                    else
                    {
                        offContext = true;
                        lease = await pass.ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    // Stopped while waiting at a gate.
                    FreeSlots(running: 0, slots: 1);
                    return;
                }
                catch (Exception exception)
                {
                    gateFailure = exception;
                }
            }

            if (offContext && !IsStopping())
            {
                await _callerContext.SwitchTo();
            }

            int index;
            lock (_lock)
            {
                if (_stopped || StoppedByCaller)
                {
                    _slotsHeld--;
                    index = -1;
                }
                else
                {
                    index = _started++;
                    _running++;
                }
            }

            if (index < 0)
            {
                RateGate.Release(lease);
                return;
            }

            OnStarting(index);
            Task task;
            if (gateFailure is null)
            {
                _gate?.OnStarting();
                task = _source.Start(token);
            }
            else
            {
                task = _source.Fail(gateFailure);
            }

            if (task.IsCompleted)
            {
                Volatile.Write(ref _completingAtStart, true);
                Complete(index, task, lease);
                Volatile.Write(ref _completingAtStart, false);
            }
            else
            {
                RunningOperation running = Rent();
                running.Set(index, task, lease);
                task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(running.OnCompleted);
            }
        }
    }

    /// <summary>Whether nothing more may start (the launcher re-checks under the lock as it starts).</summary>
    private bool IsStopping()
    {
        lock (_lock)
        {
            return _stopped || StoppedByCaller;
        }
    }

    /// <summary>A source that honours the operations' token ends canceled after a stop: that is the stop, not a failure.</summary>
    private bool EndedByStop(Exception exception) =>
        exception is OperationCanceledException && _operationsTokenSource.IsCancellationRequested;

    private async Task CloseSourceAsync()
    {
        try
        {
            await _source.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (!EndedByStop(exception))
        {
            OnSourceDisposeFailed(exception);
        }
        catch (OperationCanceledException)
        {
            // Ended canceled after a stop.
        }

        lock (_lock)
        {
            _stopped = true;
            _sourceClosed = true;
        }
    }

    /// <summary>Records a finished operation; its slot is freed unless the subclass keeps it. Returns whether one more may start.</summary>
    private bool Complete(int index, Task task, RateLimitLease? lease)
    {
        task.Observe();
        RateGate.Release(lease);
        return FreeSlots(running: 1, slots: OnOperationCompleted(index, task) ? 1 : 0);
    }

    /// <summary>Counts finished operations and freed slots; returns whether one more may start now.</summary>
    private bool FreeSlots(int running, int slots)
    {
        lock (_lock)
        {
            Debug.Assert(_running >= running && _slotsHeld >= slots, "Only what was counted is let go.");
            _running -= running;
            _slotsHeld -= slots;
            return CanStartLocked();
        }
    }

    private void OnContinuation(int index, Task task, RateLimitLease? lease)
    {
        if (Complete(index, task, lease))
        {
            RequestPump();
        }

        TryFinish();
    }

    private void TryFinish()
    {
        lock (_lock)
        {
            if (_finished || _running != 0 || !_sourceClosed)
            {
                return;
            }

            _finished = true;
        }

        Registrations.Release(_callerRegistration);
        OnAllStopped();
    }

    private RunningOperation Rent()
    {
        lock (_lock)
        {
            RunningOperation? idle = _idle;
            if (idle is not null)
            {
                _idle = idle.Next;
                idle.Next = null;
                return idle;
            }
        }

        return new RunningOperation(this);
    }

    private void Return(RunningOperation running)
    {
        lock (_lock)
        {
            running.Next = _idle;
            _idle = running;
        }
    }

    /// <summary>
    /// The continuation of one running operation. Kept and reused by the next operation, so that an item costs no
    /// allocation of the runner's beyond its task (a delegate per item would).
    /// </summary>
    private sealed class RunningOperation
    {
        private readonly OperationRunner _runner;
        private int _index;
        private Task? _task;
        private RateLimitLease? _lease;

        public RunningOperation(OperationRunner runner)
        {
            _runner = runner;
            OnCompleted = Invoke;
        }

        /// <summary>Gets the cached continuation delegate.</summary>
        public Action OnCompleted { get; }

        /// <summary>Gets or sets the next idle holder in the runner's stack.</summary>
        public RunningOperation? Next { get; set; }

        public void Set(int index, Task task, RateLimitLease? lease)
        {
            _index = index;
            _task = task;
            _lease = lease;
        }

        private void Invoke()
        {
            int index = _index;
            Task task = _task!;
            RateLimitLease? lease = _lease;
            _task = null;
            _lease = null;
            _runner.Return(this);
            _runner.OnContinuation(index, task, lease);
        }
    }
}
