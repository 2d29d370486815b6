using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// Merge: each source is one operation that enumerates it and hands its items over one at a time (the source is asked
/// for its next item only once the consumer has taken the previous one). The first source to fail stops the run.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class MergeRunner<T> : OperationRunner
{
    private readonly MergeChannel<T> _channel;

    private MergeRunner(MergeChannel<T> channel, IAsyncEnumerable<T>[] sources, int maxConcurrency, ConcurrencyOptions? options, CallerContext callerContext, CancellationToken cancellationToken)
        : base(Sources.Of(sources, channel.DrainAsync), maxConcurrency, options, callerContext, cancellationToken)
    {
        _channel = channel;
    }

    public MergeChannel<T> Channel => _channel;

    public static MergeRunner<T> Start(IAsyncEnumerable<T>[] sources, int maxConcurrency, ConcurrencyOptions? options, CallerContext callerContext, CancellationToken cancellationToken)
    {
        var runner = new MergeRunner<T>(new MergeChannel<T>(callerContext.IsSpecific), sources, maxConcurrency, options, callerContext, cancellationToken);
        runner.Begin();
        return runner;
    }

    /// <summary>Stops the run (the consumer left the loop): every source being enumerated is cancelled and disposed.</summary>
    public void Abandon()
    {
        // Closing lets every source holding an item end at once; the slot each frees must not start the next source.
        RefuseStarts();
        _channel.Close(null);
        Stop();
    }

    protected override bool OnOperationCompleted(int index, Task task)
    {
        if (!task.IsSucceeded() && !(CanceledOperations && Operations.EndedCanceled(task)))
        {
            // As when the consumer leaves. The channel is closed before the token is cancelled, so that this failure,
            // not one a source raises as it reacts to the cancellation, is what the consumer gets.
            RefuseStarts();
            if (_channel.Close(Outcome.FromCompletedTask(task).Exception))
            {
                Stop();
            }
        }

        return true;
    }

    protected override void OnSourceFailed(Exception exception) =>
        System.Diagnostics.Debug.Fail("The sources are an array of the runner's own: reading it cannot fail.", exception.ToString());

    protected override void OnCallerCanceledCore() => _channel.Close(new OperationCanceledException(CallerToken));

    protected override void OnAllStopped() => _channel.End();
}

/// <summary>The hand-over between the sources of a Merge and its one consumer.</summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class MergeChannel<T>
{
    /// <summary>Guards the fields below.</summary>
    private readonly object _lock = new();

    /// <summary>Items waiting for the consumer, each with the signal its source waits on.</summary>
    private readonly Queue<(T Item, AsyncSignal Taken)> _ready = new();

    /// <summary>Wakes the consumer.</summary>
    private readonly AsyncSignal _consumerSignal = new();

    /// <summary>Completes when every source has been disposed.</summary>
    private readonly TaskCompletionSource<bool> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether calls into the sources resume on the caller's context after an await (one was captured).</summary>
    private readonly bool _continueOnContext;

    private bool _consumerWaiting;
    private bool _closed;
    private bool _isEnded;
    private ExceptionDispatchInfo? _failure;

    public MergeChannel(bool continueOnContext)
    {
        _continueOnContext = continueOnContext;
    }

    /// <summary>Gets a task that completes once every source has been disposed.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Enumerates one source, handing its items over one at a time; started by the runner on the caller's context.</summary>
    public async Task DrainAsync(IAsyncEnumerable<T> source, CancellationToken token)
    {
        // Calls into the source resume where they started: on the caller's context, as an await foreach there would.
        bool onContext = _continueOnContext;
        IAsyncEnumerator<T> enumerator = source.GetAsyncEnumerator(token);
        var taken = new AsyncSignal();
        try
        {
            while (!Volatile.Read(ref _closed) && await enumerator.MoveNextAsync().ConfigureAwait(onContext))
            {
                await Publish(enumerator.Current, taken).ConfigureAwait(onContext);
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(onContext);
        }
    }

    /// <summary>Takes the next item, or a wait for one, or finds the end.</summary>
    public Take TryTake(out T item, out ValueTask wait)
    {
        AsyncSignal taken;
        lock (_lock)
        {
            if (_ready.Count == 0 || _failure is not null)
            {
                item = default!;
                if (_isEnded)
                {
                    wait = default;
                    return Take.End;
                }

                _consumerWaiting = true;
                wait = _consumerSignal.Wait();
                return Take.Wait;
            }

            (item, taken) = _ready.Dequeue();
        }

        // The source goes on to its next item right here, as it would in the consumer's own await foreach over it.
        wait = default;
        taken.SetInline();
        return Take.Item;
    }

    /// <summary>Throws what ended the run, if anything did.</summary>
    public void ThrowIfFailed() => _failure?.Throw();

    /// <summary>
    /// Closes the channel: sources stop publishing, and those waiting for their item to be taken go on (to their end).
    /// Returns whether this was the first close; its exception, if any, is what the consumer gets.
    /// </summary>
    public bool Close(Exception? failure)
    {
        (T Item, AsyncSignal Taken)[] waiting;
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            _closed = true;
            if (failure is not null)
            {
                _failure = ExceptionDispatchInfo.Capture(failure);
            }

            waiting = _ready.ToArray();
            _ready.Clear();
        }

        foreach ((T _, AsyncSignal taken) in waiting)
        {
            taken.Set();
        }

        return true;
    }

    /// <summary>Every source has been disposed: wakes the consumer for the end.</summary>
    public void End()
    {
        bool wake;
        lock (_lock)
        {
            _isEnded = true;
            wake = _consumerWaiting;
            _consumerWaiting = false;
        }

        if (wake)
        {
            _consumerSignal.Set();
        }

        _ended.TrySetResult(true);
    }

    private ValueTask Publish(T item, AsyncSignal taken)
    {
        bool wake;
        ValueTask wait;
        lock (_lock)
        {
            if (_closed)
            {
                return default;
            }

            wait = taken.Wait();
            _ready.Enqueue((item, taken));
            wake = _consumerWaiting;
            _consumerWaiting = false;
        }

        if (wake)
        {
            _consumerSignal.Set();
        }

        return wait;
    }
}
