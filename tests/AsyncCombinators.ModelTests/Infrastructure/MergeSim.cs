using CsCheck;

namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// A generated Merge scenario: the operations of <see cref="Cold"/> are the MoveNextAsync calls of the sources, source s
/// owning the next <c>Lengths[s]</c> of them (a value is an item; a fault, a synchronous throw or a cancellation is the
/// source failing; never is a MoveNextAsync that ends only through its token); after its last item a source ends.
/// </summary>
public sealed record MergeScenario(ColdScenario Cold, int[] Lengths, int PullGap)
{
    public static Gen<MergeScenario> Gen(bool paced, int forms) =>
        from lengths in CsCheck.Gen.Int[0, 5].Array[0, 7]
        from cold in ColdScenarios.Cold(0, 0, timeout: false, token: true, bound: true, stagger: false, breakEarly: true, forms: forms)
        from ops in ColdScenarios.Op.Array[lengths.Sum()]
        from gap in paced ? CsCheck.Gen.Frequency((1, CsCheck.Gen.Const(0)), (1, CsCheck.Gen.Int[1, 3])) : CsCheck.Gen.Const(0)
        select new MergeScenario(cold with { Ops = ops }, lengths, gap);

    /// <summary>Gets the source that operation <paramref name="op"/> belongs to.</summary>
    public int SourceOf(int op)
    {
        for (int s = 0, first = 0; s < Lengths.Length; first += Lengths[s], s++)
        {
            if (op < first + Lengths[s])
            {
                return s;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(op));
    }

    public int FirstOf(int source) => Lengths.Take(source).Sum();

    public override string ToString() => $"lengths=[{string.Join(",", Lengths)}] pullGap={PullGap} {Cold}";
}

/// <summary>
/// The model of Merge: at most maxConcurrency sources are enumerated at once, the next in input order starting when one
/// ends; a source is asked for its next item only once its previous one has been handed to the consumer, which happens
/// only while the consumer waits in MoveNextAsync, in arrival order, and then only at the consumer's next MoveNextAsync
/// (as an await foreach over it would ask it). A source failing closes the run: the items held are
/// dropped, the other sources are cancelled, and once every source has ended the enumeration throws that failure.
/// Leaving the loop and the caller's token close it the same way.
/// </summary>
public sealed class MergeSim : ColdSim
{
    private readonly MergeScenario _merge;
    private readonly int _max;
    private readonly int[] _position;
    private readonly Queue<int> _ready = new();
    private int _nextSource;

    /// <summary>The source whose item was handed over last, asked for its next item at the next MoveNextAsync.</summary>
    private int? _parked;
    private int _active;
    private bool _closed;
    private bool _waiting;
    private bool _left;
    private string? _failure;

    public MergeSim(MergeScenario merge)
        : base(merge.Cold)
    {
        _merge = merge;
        _max = merge.Cold.MaxConcurrency == 0 ? int.MaxValue : merge.Cold.MaxConcurrency;
        _position = new int[merge.Lengths.Length];
    }

    /// <summary>Gets the operations whose items must be received, in order.</summary>
    public List<int> Order { get; } = new();

    /// <summary>Gets how many sources must have been enumerated.</summary>
    public int Enumerated => _nextSource;

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

        StartSources();
        _waiting = true;
        HandOver();
        Complete();
    }

    protected override void OnFinished(int i, OpEnd ending)
    {

        if (_closed)
        {
            EndSource();
        }
        else if (ending == OpEnd.Value)
        {
            _ready.Enqueue(i);
            HandOver();
        }
        else
        {
            Fail(ending == OpEnd.Fault ? "fault:" + i : "OCE");
            EndSource();
        }


        Complete();
    }

    protected override void OnAction(int index)
    {
        _waiting = true;
        AskParked();
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

        // The sources holding an item, and the one whose item was handed over last, go on, see the run closed and end.
        while (_ready.Count > 0)
        {
            _ready.Dequeue();
            EndSource();
        }

        if (_parked is not null)
        {
            _parked = null;
            EndSource();
        }

        CancelRunning();
    }

    private void StartSources()
    {
        while (!_closed && _active < _max && _nextSource < _merge.Lengths.Length)
        {
            _active++;
            Ask(_nextSource++);
        }
    }

    private void Ask(int s)
    {
        if (_closed || _position[s] == _merge.Lengths[s])
        {
            EndSource();
            return;
        }

        Start(_merge.FirstOf(s) + _position[s]++);
    }

    private void AskParked()
    {
        if (_parked is int s)
        {
            _parked = null;
            Ask(s);
        }
    }

    private void EndSource()
    {
        _active--;
        StartSources();
    }

    private void HandOver()
    {
        while (_waiting && !_closed && _ready.Count > 0)
        {
            int op = _ready.Dequeue();
            _waiting = false;
            Order.Add(op);
            Yielded = Order.Count;
            _parked = _merge.SourceOf(op);
            if (Order.Count == Scenario.BreakAfter)
            {
                // Leaving releases the parked source into a closed run: nothing more starts.
                _left = true;
                Fail("break");
                return;
            }

            if (_merge.PullGap == 0)
            {
                _waiting = true;
                AskParked();
            }
            else
            {
                Schedule(Order.Count, CurrentStep + _merge.PullGap, 0);
            }
        }
    }

    private void Complete()
    {
        if (Result is not null || Running.Any() || _active > 0)
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
        else if (!_closed && _nextSource == _merge.Lengths.Length && _waiting)
        {
            Result = new ValueEnding("end");
        }
    }
}
