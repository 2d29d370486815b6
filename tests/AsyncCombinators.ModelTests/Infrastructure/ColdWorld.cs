namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// Plays a <see cref="ColdScenario"/>: operations that record their start and token and end when the timeline says
/// (or, when they honor it, as soon as their token is cancelled).
/// </summary>
public sealed class ColdWorld
{
    private readonly object _lock = new();
    private readonly TaskCompletionSource<int>?[] _sources;
    private readonly Task<int>?[] _tasks;
    private readonly List<int> _startOrder = new();
    private readonly TaskCreationOptions _options;

    public ColdWorld(ColdScenario scenario, string combinator, bool exceptionsMustBeObserved, TimerFault timerFault = TimerFault.None)
    {
        Scenario = scenario;
        Time = new ProbeTimeProvider(timerFault);
        _options = scenario.AsyncContinuations ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None;
        int n = scenario.Ops.Length;
        _sources = new TaskCompletionSource<int>?[n];
        _tasks = new Task<int>?[n];
        Tokens = new CancellationToken[n];
        Exceptions = Enumerable.Range(0, n)
            .Select(i => new ScenarioException(exceptionsMustBeObserved, $"{combinator} operation {i} of {scenario}"))
            .ToArray();
        Operations = Enumerable.Range(0, n).Select(i => (Func<CancellationToken, Task<int>>)(ct => Start(i, ct))).ToArray();
        PlainOperations = Enumerable.Range(0, n).Select(i => (Func<CancellationToken, Task>)(ct => Start(i, ct))).ToArray();
        if (scenario.Token.Passed)
        {
            Cts = new CancellationTokenSource();
        }
    }

    public ColdScenario Scenario { get; }

    /// <summary>Gets or sets whether an operation the timeline ends may not have started (see <see cref="ColdSim.Loose"/>).</summary>
    public bool Loose { get; set; }

    /// <summary>Gets or sets the operations that may never start (<see cref="ColdSim.StartsRacingExit"/>): their ends are skipped if they did not.</summary>
    public IReadOnlySet<int> MayNotStart { get; set; } = new HashSet<int>();

    public ProbeTimeProvider Time { get; }

    public CancellationTokenSource? Cts { get; }

    public CancellationToken Token => Cts?.Token ?? CancellationToken.None;

    public Func<CancellationToken, Task<int>>[] Operations { get; }

    /// <summary>Gets or sets what an <see cref="EventKind.Action"/> event does.</summary>
    public Action<int>? OnAction { get; set; }

    /// <summary>Gets or sets code each operation runs first when started (a TaskGroup child starting a child).</summary>
    public Action<int>? OnStarting { get; set; }

    public Func<CancellationToken, Task>[] PlainOperations { get; }

    public ScenarioException[] Exceptions { get; }

    public CancellationToken[] Tokens { get; }

    public static int ValueOf(int i) => 2000 + i;

    public int StartedCount
    {
        get
        {
            lock (_lock)
            {
                return _startOrder.Count;
            }
        }
    }

    public string StartOrder
    {
        get
        {
            lock (_lock)
            {
                return string.Join(",", _startOrder);
            }
        }
    }

    /// <summary>Gets the started operations whose task has not completed.</summary>
    public int[] Running()
    {
        lock (_lock)
        {
            return _startOrder.Where(i => _tasks[i] is { IsCompleted: false }).ToArray();
        }
    }

    /// <summary>Gets the task operation <paramref name="i"/> returned, if it has started and returned one.</summary>
    public Task<int>? TaskOf(int i)
    {
        lock (_lock)
        {
            return _tasks[i];
        }
    }

    public void BeforeCall()
    {
        if (Scenario.Token.Mode == TokenMode.PreCanceled)
        {
            Cts!.Cancel();
        }
    }

    public void Play(TimelineEvent e)
    {
        switch (e.Kind)
        {
            case EventKind.Complete:
                End(e.Index);
                break;
            case EventKind.Tick:
                Time.Advance(TimeSpan.FromSeconds(1));
                break;
            case EventKind.Action:
                OnAction!(e.Index);
                break;
            default:
                Cts!.Cancel();
                break;
        }
    }

    public void ObserveAll()
    {
        lock (_lock)
        {
            foreach (Task<int>? task in _tasks)
            {
                _ = task?.Exception;
            }
        }
    }

    /// <summary>Ends operation <paramref name="i"/> as its kind says (a racing driver calls it from several threads).</summary>
    public void End(int i)
    {
        TaskCompletionSource<int>? source = _sources[i];
        if (source is null)
        {
            if (Loose || MayNotStart.Contains(i))
            {
                return;
            }

            throw new ModelDivergenceException($"operation {i} is due to end but never started. Scenario: {Scenario}");
        }

        switch (Scenario.Ops[i].Kind)
        {
            case InputKind.Value:
                source.TrySetResult(ValueOf(i));
                break;
            case InputKind.Fault:
                source.TrySetException(Exceptions[i]);
                break;
            default:
                source.TrySetCanceled();
                break;
        }
    }

    private Task<int> Start(int i, CancellationToken ct)
    {
        OpSpec op = Scenario.Ops[i];
        OnStarting?.Invoke(i);
        lock (_lock)
        {
            if (_startOrder.Contains(i) || _tasks[i] is not null)
            {
                throw new ModelDivergenceException($"operation {i} started twice. Scenario: {Scenario}");
            }

            Tokens[i] = ct;
        }

        if (op.Kind == InputKind.Throw)
        {
            lock (_lock)
            {
                _startOrder.Add(i);
            }

            throw Exceptions[i];
        }

        Task<int> task;
        if (op.Duration == 0 && op.Kind != InputKind.Never)
        {
            task = op.Kind switch
            {
                InputKind.Value => Task.FromResult(ValueOf(i)),
                InputKind.Fault => Task.FromException<int>(Exceptions[i]),
                _ => Task.FromCanceled<int>(new CancellationToken(canceled: true)),
            };
            lock (_lock)
            {
                _tasks[i] = task;
                _startOrder.Add(i);
            }

            return task;
        }

        var source = new TaskCompletionSource<int>(_options);
        lock (_lock)
        {
            // Counted as started only once it can be ended: the driver may play its end as soon as it sees the start.
            _sources[i] = source;
            _tasks[i] = source.Task;
            _startOrder.Add(i);
        }

        if (op.Honors)
        {
            ct.Register(static (s, token) => ((TaskCompletionSource<int>)s!).TrySetCanceled(token), source);
        }

        return source.Task;
    }
}
