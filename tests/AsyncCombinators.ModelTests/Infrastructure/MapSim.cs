namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// The model of Map over a lazily read source. An item holds one of maxConcurrency slots from the moment its selector
/// starts until its result is handed to the consumer, which happens only while the consumer waits in MoveNextAsync:
/// in source order (ordered) or in completion order. The first failure (a selector's fault, synchronous throw or own
/// cancellation, or the source's MoveNext throwing) starts nothing more, drops the results not yet handed over, cancels
/// the running selectors and, once they have finished, ends the enumeration with that exception. Leaving the loop and
/// the caller's token stop the run the same way.
/// </summary>
public sealed class MapSim : ColdSim
{
    private readonly StreamScenario _stream;
    private readonly int _max;
    private readonly SortedSet<int> _done = new();
    private readonly Queue<int> _queue = new();
    private int _next;
    private int _nextYield;
    private int _held;
    private bool _sourceDone;
    private bool _closed;
    private bool _waiting;
    private bool _left;
    private string? _failure;

    public MapSim(StreamScenario stream)
        : base(stream.Cold)
    {
        _stream = stream;
        _max = stream.Cold.MaxConcurrency;
    }

    /// <summary>Gets the items in the order they must be received.</summary>
    public List<int> Order { get; } = new();

    /// <summary>Gets how many items must have been taken from the source at the end (the failing take excluded).</summary>
    public int Taken => _next;

    protected override void OnCall()
    {
        if (Scenario.Token.Mode == TokenMode.PreCanceled)
        {
            _closed = true;
            _failure = "OCE";
            _waiting = true;
            Complete();
            return;
        }

        // The run starts what it may before the first MoveNextAsync looks for an item: a synchronous result is handed
        // over only after that, and a source failing in the same pass drops it.
        StartMore();
        _waiting = true;
        HandOver();
        Complete();
    }

    protected override void OnFinished(int i, OpEnd ending)
    {
        if (!_closed)
        {
            if (ending is OpEnd.Fault)
            {
                Fail("fault:" + i);
            }
            else if (ending is OpEnd.SelfCanceled)
            {
                Fail("OCE");
            }
            else
            {
                _done.Add(i);
                _queue.Enqueue(i);
                HandOver();
            }
        }

        Complete();
    }

    protected override void OnAction(int index)
    {
        _waiting = true;
        HandOver();
        Complete();
    }

    protected override void OnCallerCancel()
    {
        if (Result is not null)
        {
            return;
        }

        if (_closed)
        {
            if (!_left && _failure != "OCE")
            {
                // The token cancelled while Map waits for the running selectors after a failure: both endings read well.
                AlsoAccepted.Add(new ValueEnding("OCE"));
            }

            return;
        }

        Fail("OCE");
        Complete();
    }

    private void Fail(string failure)
    {
        _closed = true;
        _failure = failure;
        CancelRunning();
    }

    private void StartMore()
    {
        while (!_closed && !_sourceDone && _held < _max)
        {
            if (_next == _stream.SourceThrowsAt)
            {
                Fail("fault:source");
                return;
            }

            if (_next == Scenario.Ops.Length)
            {
                _sourceDone = true;
                return;
            }

            _held++;
            Start(_next++);
        }
    }

    private void HandOver()
    {
        while (_waiting && !_closed && TryTake(out int item))
        {
            _waiting = false;
            _held--;
            Order.Add(item);
            Yielded = Order.Count;
            int started = StartOrder.Count;
            StartMore();
            if (Order.Count == Scenario.BreakAfter)
            {
                StartsRacingExit = StartOrder.Count - started;
                _left = true;
                _closed = true;
                _failure = "break";
                CancelRunning();
                return;
            }

            if (_stream.PullGap == 0)
            {
                _waiting = true;
            }
            else
            {
                Schedule(Order.Count, CurrentStep + _stream.PullGap, 0);
            }
        }
    }

    private bool TryTake(out int item)
    {
        if (_stream.Ordered)
        {
            if (_done.Remove(_nextYield))
            {
                item = _nextYield++;
                return true;
            }
        }
        else if (_queue.Count > 0)
        {
            item = _queue.Dequeue();
            return true;
        }

        item = -1;
        return false;
    }

    private void Complete()
    {
        if (Result is not null || Running.Any())
        {
            return;
        }

        if (_left)
        {
            Result = new ValueEnding("break");
        }
        else if (_closed && _waiting)
        {
            Result = new ValueEnding(_failure!);
        }
        else if (!_closed && _sourceDone && _held == 0 && _waiting)
        {
            Result = new ValueEnding("end");
        }
    }
}
