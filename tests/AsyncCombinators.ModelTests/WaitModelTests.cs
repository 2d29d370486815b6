using AsyncCombinators.ModelTests.Infrastructure;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// Wait in its three modes, with and without a timeout and a token, generic and plain, against a model of the
/// contract: Done is every input complete at the moment of return, Done and Pending partition the distinct inputs, a
/// timeout returns instead of throwing, the token throws OperationCanceledException, nothing is left behind.
/// </summary>
public sealed class WaitModelTests
{
    private readonly ITestOutputHelper _output;

    public WaitModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Wait_GeneratedHotTasks_MatchesModel() =>
        ModelProperty.Run(Scenarios.Hot(0, 40, timeout: true, token: true, forms: 24), Play, _output);

    /// <summary>
    /// Form: ReturnWhen = Form / 8; generic when (Form / 4) is even; overload = Form % 4: 0 (tasks) or, for another mode,
    /// (tasks, when); 1 (tasks, when[, Zero]); 2 (tasks, when[, Zero], token); 3 (tasks, when, timeout, timeProvider, token).
    /// </summary>
    internal static void Play(HotScenario scenario, LeakProbe? leaks)
    {
        var when = (ReturnWhen)(scenario.Form / 8);
        bool generic = (scenario.Form / 4) % 2 == 0;
        int overload = scenario.Form % 4;
        if (overload == 0 && when != ReturnWhen.AllCompleted)
        {
            overload = 1;
        }

        if (overload < 2)
        {
            scenario = scenario with { Token = new TokenPlan(TokenMode.None, 0, 0) };
        }

        if (overload < 3 && scenario.TimeoutSeconds != 0)
        {
            // Without a TimeProvider only TimeSpan.Zero and no timeout are deterministic.
            scenario = scenario with { TimeoutSeconds = null };
        }

        if (overload == 0)
        {
            scenario = scenario with { TimeoutSeconds = null };
        }

        var world = new HotWorld(scenario, "Wait", exceptionsMustBeObserved: false);
        world.BeforeCall();
        if (scenario.Inputs.Length == 0)
        {
            Driver.Require(Throws<ArgumentException>(() => Call(world, when, generic, overload)), () => "empty input did not throw ArgumentException at the call", scenario);
            return;
        }

        (List<Observation> expected, List<Ending> accepted) = Model(scenario, world, when);
        Task call = Call(world, when, generic, overload);
        bool pendingAtCall = !call.IsCompleted;
        Driver.Play(world.Events, world.Play, expected, () => new Observation(0, 0, call.IsCompleted), scenario);
        Endings.Require(Ending.Of(call, t => RenderResult(t, world)), accepted, scenario);
        if (call.IsCompleted)
        {
            Driver.Require(world.Time.Armed == 0, () => $"{world.Time.Armed} timer(s) still armed after the call completed", scenario);
        }

        world.ObserveAll();
        if (leaks is not null && pendingAtCall && call.IsCompleted)
        {
            leaks.Track(call, scenario.ToString(), world.Cts, world.Time, world.NeverEnding());
        }
    }

    private static bool Throws<TException>(Action call)
        where TException : Exception
    {
        try
        {
            call();
            return false;
        }
        catch (TException)
        {
            return true;
        }
    }

    private static Task Call(HotWorld world, ReturnWhen when, bool generic, int overload)
    {
        CancellationToken token = world.Token;
        TimeSpan timeout = world.Scenario.TimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : Timeout.InfiniteTimeSpan;
        bool zero = world.Scenario.TimeoutSeconds == 0;
        if (generic)
        {
            IEnumerable<Task<int>> tasks = world.Inputs;
            return overload switch
            {
                0 => Async.Wait(tasks),
                1 => zero ? Async.Wait(tasks, when, TimeSpan.Zero) : Async.Wait(tasks, when),
                2 => zero ? Async.Wait(tasks, when, TimeSpan.Zero, token) : Async.Wait(tasks, when, token),
                _ => Async.Wait(tasks, when, timeout, world.Time, token),
            };
        }

        IEnumerable<Task> plain = world.Inputs;
        return overload switch
        {
            0 => Async.Wait(plain),
            1 => zero ? Async.Wait(plain, when, TimeSpan.Zero) : Async.Wait(plain, when),
            2 => zero ? Async.Wait(plain, when, TimeSpan.Zero, token) : Async.Wait(plain, when, token),
            _ => Async.Wait(plain, when, timeout, world.Time, token),
        };
    }

    private static string RenderResult(Task task, HotWorld world) => task switch
    {
        Task<WaitResult<Task<int>>> generic => Render(generic.Result.Done, generic.Result.Pending, world),
        _ => Render(((Task<WaitResult<Task>>)task).Result.Done, ((Task<WaitResult<Task>>)task).Result.Pending, world),
    };

    private static string Render<TTask>(IReadOnlyCollection<TTask> done, IReadOnlyCollection<TTask> pending, HotWorld world)
        where TTask : Task
    {
        Task<int>[] sources = world.Sources;
        string Part(IEnumerable<TTask> tasks) => string.Join(",", tasks.Select(t => Array.IndexOf(sources, t)).Order());
        return $"done={Part(done)} pending={Part(pending)} counts={done.Count}/{pending.Count}";
    }

    private static string RenderExpected(bool[] done) =>
        $"done={string.Join(",", Enumerable.Range(0, done.Length).Where(i => done[i]))} pending={string.Join(",", Enumerable.Range(0, done.Length).Where(i => !done[i]))} counts={done.Count(d => d)}/{done.Count(d => !d)}";

    private static (List<Observation> Expected, List<Ending> Accepted) Model(HotScenario s, HotWorld world, ReturnWhen when)
    {
        var done = new bool[s.Sources.Length];
        for (int i = 0; i < done.Length; i++)
        {
            done[i] = s.Sources[i].Kind != InputKind.Never && s.Sources[i].Step == 0;
        }

        bool Satisfied() => when switch
        {
            ReturnWhen.AllCompleted => done.All(d => d),
            ReturnWhen.FirstCompleted => done.Any(d => d),
            _ => done.All(d => d) || done.Where((d, i) => d && s.Sources[i].Kind == InputKind.Fault).Any(),
        };

        var accepted = new List<Ending>();
        Ending? result = Satisfied() || s.TimeoutSeconds == 0 ? new ValueEnding(RenderExpected(done)) : null;
        if (s.Token.Mode == TokenMode.PreCanceled)
        {
            // The contract does not order the already-complete and zero-timeout fast paths against an already-cancelled token.
            if (result is not null)
            {
                accepted.Add(new CanceledEnding());
            }

            result ??= new CanceledEnding();
        }

        var expected = new List<Observation> { new(0, 0, result is not null) };
        foreach (TimelineEvent e in world.Events)
        {
            if (result is null)
            {
                switch (e.Kind)
                {
                    case EventKind.Complete:
                        done[e.Index] = true;
                        result = Satisfied() ? new ValueEnding(RenderExpected(done)) : null;
                        break;
                    case EventKind.Tick:
                        result = e.Index == s.TimeoutSeconds ? new ValueEnding(RenderExpected(done)) : null;
                        break;
                    default:
                        result = new CanceledEnding();
                        break;
                }
            }

            expected.Add(new Observation(0, 0, result is not null));
        }

        accepted.Add(result ?? new PendingEnding());
        return (expected, accepted);
    }
}
