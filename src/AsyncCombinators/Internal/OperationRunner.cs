using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// Runs cold operations in input order, at most <c>maxConcurrency</c> at a time, each with the token of one private
/// <see cref="CancellationTokenSource"/>: <see cref="Stop"/> starts nothing more and cancels the running ones, and
/// <see cref="OnAllStopped"/> runs once no started operation is still running. Operations that complete synchronously
/// are handled in the starting loop, so long chains of them cost no stack depth.
/// </summary>
/// <typeparam name="T">The operations' result type.</typeparam>
internal abstract class OperationRunner<T>
{
    private static readonly Action<object?> s_onCallerCanceled = static state => ((OperationRunner<T>)state!).OnCallerCanceled();
    private static readonly ContextCallback s_launchInContext = static state =>
    {
        var (runner, index) = ((OperationRunner<T>, int))state!;
        runner.LaunchHere(index);
    };

    private readonly Func<CancellationToken, Task<T>>[] _operations;
    private readonly int _maxConcurrency;
    private readonly CancellationTokenSource _source = new();
    private readonly object _lock = new();
    private readonly ExecutionContext? _context = ExecutionContext.Capture();
    private CancellationTokenRegistration _callerRegistration;
    private int _next;
    private int _running;
    private bool _stopped;
    private bool _finished;

    protected OperationRunner(Func<CancellationToken, Task<T>>[] operations, int maxConcurrency, CancellationToken callerToken)
    {
        _operations = operations;
        _maxConcurrency = maxConcurrency;
        CallerToken = callerToken;
    }

    /// <summary>Gets the caller's token.</summary>
    protected CancellationToken CallerToken { get; }

    /// <summary>Gets a value indicating whether the runner cancelled the operations' token itself.</summary>
    protected bool CanceledOperations => _source.IsCancellationRequested;

    /// <summary>Gets a value indicating whether the caller's token stopped the run.</summary>
    protected bool StoppedByCaller { get; private set; }

    /// <summary>Starts the first operations (none when the caller's token is already canceled).</summary>
    protected void Begin()
    {
        if (CallerToken.IsCancellationRequested)
        {
            StoppedByCaller = true;
            _stopped = true;
        }
        else if (CallerToken.CanBeCanceled)
        {
            _callerRegistration = Registrations.Register(s_onCallerCanceled, this, CallerToken);
        }

        Pump();
    }

    /// <summary>Starts no more operations and cancels the running ones' token.</summary>
    protected void Stop()
    {
        lock (_lock)
        {
            _stopped = true;
        }

        try
        {
            _source.Cancel();
        }
        catch (AggregateException)
        {
            // A callback registered by an operation threw: the operation's own problem, reported through its task if at all.
        }
        catch (ObjectDisposedException)
        {
            // Every operation finished meanwhile and the source was released: nothing left to cancel.
        }

        // Stryker disable once Statement : race only: stopped in the moment between one operation's end and the start of the next.
        TryFinish();
    }

    /// <summary>Starts the next operation now, whatever the bound (FirstSuccessful's stagger); false when stopped or none is left.</summary>
    protected bool StartNext()
    {
        int index;
        lock (_lock)
        {
            // Stryker disable once Boolean : no caller reads the result after a stop.
            if (_stopped || _next == _operations.Length)
            {
                return false;
            }

            index = _next++;
            _running++;
        }

        Launch(index);
        // Stryker disable once Statement : every caller of StartNext runs inside an operation's completion, whose Pump finishes the run anyway.
        TryFinish();
        // Stryker disable once Boolean : no caller reads the result.
        return true;
    }

    /// <summary>Gets how many operations have been started.</summary>
    protected int Started
    {
        get
        {
            lock (_lock)
            {
                return _next;
            }
        }
    }

    /// <summary>Called once for every started operation, when its task has completed; exceptions are observed by then.</summary>
    protected abstract void OnOperationCompleted(int index, Task<T> task);

    /// <summary>Called once, when nothing is left to start and no started operation is running.</summary>
    protected abstract void OnAllStopped();

    /// <summary>Called when the caller's token is canceled, before the running operations are canceled.</summary>
    protected virtual void OnCallerCanceledCore()
    {
    }

    private void OnCallerCanceled()
    {
        StoppedByCaller = true;
        OnCallerCanceledCore();
        Stop();
    }

    private void Pump()
    {
        while (true)
        {
            int index;
            lock (_lock)
            {
                if (_stopped || _next == _operations.Length || _running >= _maxConcurrency)
                {
                    break;
                }

                index = _next++;
                _running++;
            }

            Launch(index);
        }

        TryFinish();
    }

    /// <summary>
    /// Starts an operation in the caller's execution context (AsyncLocal values flow into every operation), also when it
    /// is started later, from the thread on which another operation completed or a timer fired.
    /// </summary>
    private void Launch(int index)
    {
        // Stryker disable once Logical : running in the caller's context when already in it changes nothing (tests check both branches).
        if (_context is null || ReferenceEquals(ExecutionContext.Capture(), _context))
        {
            LaunchHere(index);
        }
        else
        {
            // CreateCopy: .NET Framework (netstandard2.0) forbids running one captured context twice at once; on .NET it returns the same object.
            ExecutionContext.Run(_context.CreateCopy(), s_launchInContext, (this, index));
        }
    }

    private void LaunchHere(int index)
    {
        Task<T> task = Operations.Start(_operations[index], _source.Token);
        if (task.IsCompleted)
        {
            Complete(index, task);
        }
        else
        {
            task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(new Continuation(this, index, task).Invoke);
        }
    }

    private void Complete(int index, Task<T> task)
    {
        task.Observe();
        OnOperationCompleted(index, task);
        lock (_lock)
        {
            _running--;
        }
    }

    private void OnContinuation(int index, Task<T> task)
    {
        Complete(index, task);
        Pump();
    }

    private void TryFinish()
    {
        lock (_lock)
        {
            if (_finished || _running != 0 || (!_stopped && _next != _operations.Length))
            {
                return;
            }

            // Stryker disable once Boolean : finishing twice releases released things again and completes a completed promise.
            _finished = true;
        }

        Registrations.Release(_callerRegistration);
        // Stryker disable once Statement : a token source without a timer or a wait handle holds nothing to release.
        _source.Dispose();
        OnAllStopped();
    }

    private sealed class Continuation
    {
        private readonly OperationRunner<T> _runner;
        private readonly int _index;
        private readonly Task<T> _task;

        public Continuation(OperationRunner<T> runner, int index, Task<T> task)
        {
            _runner = runner;
            _index = index;
            _task = task;
        }

        public void Invoke() => _runner.OnContinuation(_index, _task);
    }
}
