using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// Merge: each source is one operation that enumerates it and hands its items over one at a time (the source is asked
/// for its next item only once the consumer has taken the previous one). The first source to fail stops the run.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class MergeRunner<T> : StreamRunner<T>
{
    /// <summary>Items waiting for the consumer, each with the signal its source waits on.</summary>
    private readonly Queue<(T Item, AsyncSignal Taken)> _ready = new();

    /// <summary>
    /// The hand-over signal of the source whose item the consumer took last: that source goes on to its next item at the
    /// consumer's next <see cref="TryTake"/>, or when the run closes.
    /// </summary>
    private AsyncSignal? _lastTaken;

    /// <summary>Whether calls into the sources resume on the caller's context after an await (one was captured).</summary>
    private readonly bool _continueOnContext;

    private MergeRunner(IAsyncEnumerable<T>[] sources, Func<IAsyncEnumerable<T>, CancellationToken, Task> drain, int maxConcurrency, ConcurrencyOptions? options, CallerContext callerContext, CancellationToken cancellationToken)
        : base(Sources.Of(sources, drain), maxConcurrency, options, callerContext, cancellationToken)
    {
        _continueOnContext = callerContext.IsSpecific;
    }

    public static MergeRunner<T> Create(IAsyncEnumerable<T>[] sources, int maxConcurrency, ConcurrencyOptions? options, CallerContext callerContext, CancellationToken cancellationToken)
    {
        // Each source's operation is the runner's own DrainAsync, which its base needs before the runner exists.
        MergeRunner<T> runner = null!;
        runner = new MergeRunner<T>(sources, (source, token) => runner.DrainAsync(source, token), maxConcurrency, options, callerContext, cancellationToken);
        return runner;
    }

    public override Take TryTake(out T item, out ValueTask wait)
    {
        // The source of the item taken before goes on to its next item now, right here, as it would in the consumer's own
        // await foreach over it. Not when its item was taken: its next step (a synchronous read, work after its yield)
        // would then keep the consumer from the item it had just been given.
        Interlocked.Exchange(ref _lastTaken, null)?.SetInline();
        lock (ItemsLock)
        {
            if (_ready.Count == 0 || IsFailed)
            {
                return WaitOrEndLocked(out item, out wait);
            }

            (item, _lastTaken) = _ready.Dequeue();
        }

        wait = default;
        return Take.Item;
    }

    protected override bool OnOperationCompleted(int index, Task task)
    {
        if (!task.IsSucceeded() && !(CanceledOperations && Operations.EndedCanceled(task)))
        {
            // The run is closed before the token is cancelled, so that this failure, not one a source raises as it reacts
            // to the cancellation, is what the consumer gets.
            CloseAndStop(Outcome.FromCompletedTask(task).Exception);
        }

        return true;
    }

    protected override void OnSourceFailed(Exception exception) =>
        System.Diagnostics.Debug.Fail("The sources are an array of the runner's own: reading it cannot fail.", exception.ToString());

    protected override void OnCallerCanceledCore() => Close(new OperationCanceledException(CallerToken));

    /// <summary>Sources stop publishing, and those waiting for their item to be taken, or to go on, go on (to their end).</summary>
    protected override void OnClosed()
    {
        (T Item, AsyncSignal Taken)[] waiting;
        lock (ItemsLock)
        {
            waiting = _ready.ToArray();
            _ready.Clear();
        }

        foreach ((T _, AsyncSignal taken) in waiting)
        {
            taken.Set();
        }

        Interlocked.Exchange(ref _lastTaken, null)?.Set();
    }

    /// <summary>Enumerates one source, handing its items over one at a time; started by the runner on the caller's context.</summary>
    private async Task DrainAsync(IAsyncEnumerable<T> source, CancellationToken token)
    {
        // Calls into the source resume where they started: on the caller's context, as an await foreach there would.
        bool onContext = _continueOnContext;
        IAsyncEnumerator<T> enumerator = source.GetAsyncEnumerator(token);
        var taken = new AsyncSignal();
        try
        {
            while (!IsClosed && await enumerator.MoveNextAsync().ConfigureAwait(onContext))
            {
                await Publish(enumerator.Current, taken).ConfigureAwait(onContext);
            }
        }
        finally
        {
            await DisposeSourceAsync(enumerator, onContext).ConfigureAwait(onContext);
        }
    }

    /// <summary>Disposes one source; a failure ends its drain, and is also kept for a consumer that leaves the loop.</summary>
    private async ValueTask DisposeSourceAsync(IAsyncEnumerator<T> enumerator, bool onContext)
    {
        try
        {
            await enumerator.DisposeAsync().ConfigureAwait(onContext);
        }
        catch (Exception exception) when (!(exception is OperationCanceledException && (CanceledOperations || IsClosed)))
        {
            // The leaving closed the run, so the drain's fault is dropped: without this, nothing would tell the consumer,
            // where an await foreach over the source itself would throw it. A cancellation the stop caused is no failure,
            // nor is one from a source that the close let go on just before the stop cancelled the sources' token.
            RecordDisposeFailure(exception);
            throw;
        }
    }

    private ValueTask Publish(T item, AsyncSignal taken)
    {
        bool wake;
        ValueTask wait;
        lock (ItemsLock)
        {
            if (IsClosed)
            {
                return default;
            }

            wait = taken.Wait();
            _ready.Enqueue((item, taken));
            wake = TakeWaiterLocked();
        }

        if (wake)
        {
            // Asynchronously: inline, the consumer's loop would run inside this source's drain, before it awaits the hand-over.
            WakeConsumer(mayRunHere: false);
        }

        return wait;
    }
}
