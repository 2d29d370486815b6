namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>How a cold operation ended, as the model sees it.</summary>
public enum OpEnd
{
    Value,
    Fault,

    /// <summary>Ended canceled by itself.</summary>
    SelfCanceled,

    /// <summary>Ended canceled because the combinator cancelled its token.</summary>
    CanceledByCall,
}

/// <summary>
/// The sequential reference model of a combinator over cold operations: a discrete-event simulation of the scenario's
/// operations and clock in which a policy, written from the contract, decides what to start and cancel and when the
/// call completes. It produces the timeline the driver plays and what the call must look like after each event.
/// </summary>
public abstract class ColdSim
{
    private const int MaxTicks = 24;
    private readonly SortedSet<TimelineEvent> _queue = new(TimelineEvent.PlayOrder);
    private int _step;

    protected ColdSim(ColdScenario scenario)
    {
        Scenario = scenario;
        int n = scenario.Ops.Length;
        Started = new bool[n];
        Ends = new OpEnd?[n];
    }

    public ColdScenario Scenario { get; }

    /// <summary>Gets whether each operation has started.</summary>
    public bool[] Started { get; }

    /// <summary>Gets how each operation ended (null: not ended).</summary>
    public OpEnd?[] Ends { get; }

    public List<int> StartOrder { get; } = new();

    /// <summary>Gets the step of the event being played.</summary>
    protected int CurrentStep => _step;

    /// <summary>Gets the seconds the clock has advanced.</summary>
    public int Clock { get; private set; }

    public List<TimelineEvent> Events { get; } = new();

    public List<Observation> Expected { get; } = new();

    /// <summary>Gets how the call ends (null while pending).</summary>
    public Ending? Result { get; protected set; }

    /// <summary>Gets further endings the contract allows where it does not decide.</summary>
    public List<Ending> AlsoAccepted { get; } = new();

    /// <summary>Gets how many items an enumeration has yielded (AsCompleted over operations).</summary>
    public int Yielded { get; protected set; }

    /// <summary>When set, the number of yielded items is not predicted (the contract leaves it open).</summary>
    public bool YieldsOpen { get; protected set; }

    public IEnumerable<int> Running => StartOrder.Where(i => Ends[i] is null);

    /// <summary>
    /// When set, the contract leaves what happens at the call open (an already-cancelled token): only how the call
    /// ends and that nothing is left running are checked, not the state after each event.
    /// </summary>
    public bool Loose { get; protected set; }

    /// <summary>
    /// Gets how many of the last starts race the consumer leaving: the hand-over of the item after which it breaks lets
    /// them start, and the library may see the consumer gone first.
    /// </summary>
    public int StartsRacingExit { get; protected set; }

    public List<Ending> Accepted => AlsoAccepted.Append(Result ?? new PendingEnding()).ToList();

    /// <summary>Runs the simulation to its end.</summary>
    public void Run()
    {
        _queue.Add(new TimelineEvent(EventKind.Tick, 1, 1, Scenario.TickRanks[0]));
        if (Scenario.Token.Mode == TokenMode.At)
        {
            _queue.Add(new TimelineEvent(EventKind.Cancel, 0, Scenario.Token.Step, Scenario.Token.Rank));
        }

        OnCall();
        Expected.Add(Observe());
        while (_queue.Count > 0)
        {
            TimelineEvent e = _queue.Min;
            _queue.Remove(e);
            _step = e.Step;
            switch (e.Kind)
            {
                case EventKind.Complete:
                    Finish(e.Index, Scenario.Ops[e.Index].Kind == InputKind.Value ? OpEnd.Value : Scenario.Ops[e.Index].Kind == InputKind.Fault ? OpEnd.Fault : OpEnd.SelfCanceled);
                    break;
                case EventKind.Action:
                    OnAction(e.Index);
                    break;
                case EventKind.Tick:
                    Clock = e.Index;
                    OnTick();
                    bool more = _queue.Count > 0 || Running.Any() || (Result is null && NeedsClock);
                    if (e.Index < MaxTicks && more)
                    {
                        _queue.Add(new TimelineEvent(EventKind.Tick, e.Index + 1, e.Index + 1, Scenario.TickRanks[e.Index % Scenario.TickRanks.Length]));
                    }

                    break;
                default:
                    OnCallerCancel();
                    break;
            }

            Events.Add(e);
            Expected.Add(Observe());
        }
    }

    /// <summary>Gets whether the policy still waits for the clock (a timeout or a stagger timer).</summary>
    protected virtual bool NeedsClock => false;

    protected abstract void OnCall();

    protected abstract void OnFinished(int i, OpEnd ending);

    protected virtual void OnTick()
    {
    }

    protected virtual void OnAction(int index)
    {
    }

    /// <summary>Schedules an <see cref="EventKind.Action"/> event.</summary>
    protected void Schedule(int action, int step, int rank) => _queue.Add(new TimelineEvent(EventKind.Action, action, step, rank));

    protected abstract void OnCallerCancel();

    protected Observation Observe() => new(StartOrder.Count, YieldsOpen ? Observation.AnyYield : Yielded, Result is not null, StartsRacingExit);

    /// <summary>Starts operation <paramref name="i"/>; one that ends before returning its task is finished at once.</summary>
    protected void Start(int i)
    {
        if (Started[i])
        {
            throw new InvalidOperationException($"the model started operation {i} twice");
        }

        Started[i] = true;
        StartOrder.Add(i);
        OpSpec op = Scenario.Ops[i];
        if (op.Kind == InputKind.Throw)
        {
            Finish(i, OpEnd.Fault);
        }
        else if (op.Kind == InputKind.Never)
        {
            return;
        }
        else if (op.Duration == 0)
        {
            Finish(i, op.Kind == InputKind.Value ? OpEnd.Value : op.Kind == InputKind.Fault ? OpEnd.Fault : OpEnd.SelfCanceled);
        }
        else
        {
            _queue.Add(new TimelineEvent(EventKind.Complete, i, _step + op.Duration, op.Rank));
        }
    }

    /// <summary>Cancels the token of every running operation; those that honor it end at once.</summary>
    protected void CancelRunning()
    {
        foreach (int i in Running.ToList())
        {
            if (Scenario.Ops[i].Honors && Ends[i] is null)
            {
                _queue.RemoveWhere(e => e.Kind == EventKind.Complete && e.Index == i);
                Finish(i, OpEnd.CanceledByCall);
            }
        }
    }

    private void Finish(int i, OpEnd end)
    {
        Ends[i] = end;
        OnFinished(i, end);
    }
}
