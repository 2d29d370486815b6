using AsyncCombinators.ModelTests.Infrastructure;
using CsCheck;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>A hot scenario whose steps are played by <see cref="Threads"/> racing threads; the call races the first step.</summary>
public sealed record RacingHotScenario(HotScenario Hot, int Threads, int[] ThreadOf, bool CallRaces)
{
    public static Gen<RacingHotScenario> Gen(bool timeout, bool token, int forms) =>
        from hot in Scenarios.Hot(0, 40, timeout, token, forms)
        from threads in CsCheck.Gen.Int[2, 4]
        from threadOf in CsCheck.Gen.Int[0, 3].Array[hot.Sources.Length]
        from callRaces in CsCheck.Gen.Bool
        select new RacingHotScenario(hot, threads, threadOf.Select(t => t % threads).ToArray(), callRaces);

    /// <summary>Gets the number of clock ticks certainly played after the call.</summary>
    public int TicksAfterCall => Hot.Steps - (CallRaces ? 1 : 0);

    public override string ToString() => $"threads={Threads} callRaces={CallRaces} threadOf=[{string.Join(",", ThreadOf)}] {Hot}";
}

/// <summary>
/// Gather, GatherOutcomes, Wait and AsCompleted over hot tasks with the completions of each step coming from several
/// threads at once and the call racing the first step. The order is left to the race, so only the invariants that do
/// not depend on it are checked: each input counted once, the call completing when (and only when) the contract says
/// it must, a result the contract allows, every exception observed where the contract says so, nothing left behind.
/// </summary>
public sealed class ConcurrentHotModelTests
{
    private readonly ITestOutputHelper _output;

    public ConcurrentHotModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Gather_RacingHotCompletions_KeepsInvariants() =>
        ModelProperty.Run(RacingHotScenario.Gen(timeout: false, token: true, forms: 4), (s, leaks) => PlayGather(s, outcomes: false, leaks), _output);

    [Fact]
    public void GatherOutcomes_RacingHotCompletions_KeepsInvariants() =>
        ModelProperty.Run(RacingHotScenario.Gen(timeout: false, token: true, forms: 4), (s, leaks) => PlayGather(s, outcomes: true, leaks), _output);

    [Fact]
    public void Wait_RacingHotCompletions_KeepsInvariants() =>
        ModelProperty.Run(RacingHotScenario.Gen(timeout: true, token: true, forms: 6), PlayWait, _output);

    [Fact]
    public void AsCompleted_RacingHotCompletions_KeepsInvariants() =>
        ModelProperty.Run(RacingHotScenario.Gen(timeout: true, token: true, forms: 4), PlayAsCompleted, _output);

    /// <summary>Plays the steps: the call (when it races) and every end, tick and cancel of a step on its thread, released together.</summary>
    private static void PlaySteps(RacingHotScenario race, HotWorld world, Action call)
    {
        HotScenario s = race.Hot;
        world.BeforeCall();
        if (!race.CallRaces)
        {
            call();
        }

        for (int step = 1; step <= s.Steps; step++)
        {
            var perThread = Enumerable.Range(0, race.Threads).Select(_ => new List<TimelineEvent>()).ToArray();
            foreach (TimelineEvent e in world.Events.Where(e => e.Step == step))
            {
                int thread = e.Kind == EventKind.Complete ? race.ThreadOf[e.Index] : e.Rank % race.Threads;
                perThread[thread].Add(e);
            }

            var actions = perThread.Where(p => p.Count > 0).Select(p => (Action)(() => p.ForEach(world.Play))).ToList();
            if (step == 1 && race.CallRaces)
            {
                actions.Add(call);
            }

            Racer.Race(actions);
        }
    }

    private static bool Ended(HotScenario s, int source) => s.Sources[source].Kind != InputKind.Never;

    private static bool TokenCancelled(HotScenario s) => s.Token.Mode is TokenMode.PreCanceled or TokenMode.At;

    /// <summary>Form: 0/1 generic without/with the token, 2/3 non-generic.</summary>
    private static void PlayGather(RacingHotScenario race, bool outcomes, LeakProbe leaks)
    {
        HotScenario s = race.Hot;
        bool generic = s.Form < 2;
        if (s.Form % 2 == 0)
        {
            race = race with { Hot = s = s with { Token = new TokenPlan(TokenMode.None, 0, 0) } };
        }

        var world = new HotWorld(s, outcomes ? "GatherOutcomes" : "Gather", exceptionsMustBeObserved: !outcomes);
        Task? call = null;
        bool pendingAtCall = false;
        PlaySteps(race, world, () =>
        {
            IEnumerable<Task<int>> inputs = world.Inputs;
            call = (outcomes, generic, s.Form % 2 == 1) switch
            {
                (false, true, false) => Async.Gather(inputs),
                (false, true, true) => Async.Gather(inputs, world.Token),
                (false, false, false) => Async.Gather(inputs.Cast<Task>()),
                (false, false, true) => Async.Gather(inputs.Cast<Task>(), world.Token),
                (true, true, false) => Async.GatherOutcomes(inputs),
                (true, true, true) => Async.GatherOutcomes(inputs, world.Token),
                (true, false, false) => Async.GatherOutcomes(inputs.Cast<Task>()),
                _ => Async.GatherOutcomes(inputs.Cast<Task>(), world.Token),
            };
            pendingAtCall = !call.IsCompleted;
        });

        int[] distinct = s.Inputs.Distinct().ToArray();
        bool allEnded = distinct.All(i => Ended(s, i));
        int[] failed = distinct.Where(i => s.Sources[i].Kind is InputKind.Fault or InputKind.Cancel).ToArray();
        bool mustComplete = allEnded || TokenCancelled(s) || (!outcomes && failed.Length > 0);
        Task done = call!;
        if (!mustComplete)
        {
            Driver.Require(!done.IsCompleted, () => "completed although an input never ends and nothing failed", race);
            return;
        }

        Hang.Settled(done, "the call");
        string exact = outcomes
            ? string.Join(",", s.Inputs.Select(i => s.Sources[i].Kind switch
            {
                InputKind.Value => generic ? "v" + HotWorld.ValueOf(i) : "ok",
                InputKind.Fault => "f" + i,
                _ => "c",
            }))
            : generic ? string.Join(",", s.Inputs.Select(HotWorld.ValueOf)) : "ok";
        var accepted = new List<Ending>();
        if (allEnded && (outcomes || failed.Length == 0))
        {
            accepted.Add(new ValueEnding(exact));
        }

        if (!outcomes)
        {
            accepted.AddRange(failed.Where(i => s.Sources[i].Kind == InputKind.Fault).Select(i => new FaultEnding(world.Exceptions[i])));
        }

        if (TokenCancelled(s) || (!outcomes && failed.Any(i => s.Sources[i].Kind == InputKind.Cancel)))
        {
            accepted.Add(new CanceledEnding());
        }

        Endings.Require(Ending.Of(done, t => Render(t, world)), accepted, race);
        if (outcomes)
        {
            world.ObserveAll();
        }

        if (pendingAtCall)
        {
            leaks.Track(done, race.ToString(), world.Cts, world.Time);
        }
    }

    private static string Render(Task task, HotWorld world) => task switch
    {
        Task<int[]> values => string.Join(",", values.Result),
        Task<Outcome<int>[]> o => string.Join(",", o.Result.Select(x => x.IsSuccess ? "v" + x.Value : x.IsFaulted ? "f" + Array.IndexOf(world.Exceptions, x.Exception) : "c")),
        Task<Outcome[]> o => string.Join(",", o.Result.Select(x => x.IsSuccess ? "ok" : x.IsFaulted ? "f" + Array.IndexOf(world.Exceptions, x.Exception) : "c")),
        _ => "ok",
    };

    /// <summary>Form: ReturnWhen = Form % 3; generic when Form &lt; 3; always (tasks, when, timeout, timeProvider, token).</summary>
    private static void PlayWait(RacingHotScenario race, LeakProbe leaks)
    {
        HotScenario s = race.Hot;
        if (s.Inputs.Length == 0)
        {
            return;
        }

        var when = (ReturnWhen)(s.Form % 3);
        bool generic = s.Form < 3;
        var world = new HotWorld(s, "Wait", exceptionsMustBeObserved: false);
        TimeSpan timeout = s.TimeoutSeconds is int t ? TimeSpan.FromSeconds(t) : Timeout.InfiniteTimeSpan;
        Task? call = null;
        bool pendingAtCall = false;
        PlaySteps(race, world, () =>
        {
            call = generic
                ? Async.Wait(world.Inputs, when, timeout, world.Time, world.Token)
                : Async.Wait(world.Inputs.Cast<Task>(), when, timeout, world.Time, world.Token);
            pendingAtCall = !call.IsCompleted;
        });

        int[] distinct = s.Inputs.Distinct().ToArray();
        bool allEnded = distinct.All(i => Ended(s, i));
        bool reached = when switch
        {
            ReturnWhen.AllCompleted => allEnded,
            ReturnWhen.FirstCompleted => distinct.Any(i => Ended(s, i)),
            _ => allEnded || distinct.Any(i => s.Sources[i].Kind == InputKind.Fault),
        };
        bool mustComplete = reached || TokenCancelled(s) || s.TimeoutSeconds <= race.TicksAfterCall;
        bool canComplete = reached || TokenCancelled(s) || s.TimeoutSeconds <= s.Steps;
        Task done = call!;
        if (!canComplete)
        {
            Driver.Require(!done.IsCompleted, () => "completed although its condition cannot hold, no timeout and no cancellation", race);
            world.ObserveAll();
            return;
        }

        if (mustComplete)
        {
            Hang.Settled(done, "Wait");
        }

        if (done.IsCompleted)
        {
            Driver.Require(done.IsCanceled ? TokenCancelled(s) : done.IsCompletedSuccessfully, () => $"Wait ended {done.Status}", race);
            if (done.IsCompletedSuccessfully)
            {
                (Task[] d, Task[] p) = done is Task<WaitResult<Task<int>>> g
                    ? (g.Result.Done.Cast<Task>().ToArray(), g.Result.Pending.Cast<Task>().ToArray())
                    : (((Task<WaitResult<Task>>)done).Result.Done.ToArray(), ((Task<WaitResult<Task>>)done).Result.Pending.ToArray());
                Task[] sources = world.Sources;
                var expectedSet = distinct.Select(i => (Task)sources[i]).ToHashSet();
                Driver.Require(d.Length + p.Length == distinct.Length && d.Concat(p).ToHashSet().SetEquals(expectedSet), () => $"Done ({d.Length}) and Pending ({p.Length}) do not partition the {distinct.Length} distinct inputs", race);
                Driver.Require(d.All(x => x.IsCompleted), () => "Done holds a task that has not completed", race);
                Driver.Require(distinct.Where(i => Ended(s, i) && s.Sources[i].Step == 0).All(i => d.Contains(sources[i])), () => "an input complete before the call is not in Done", race);
                bool timedOut = s.TimeoutSeconds is not null;
                Driver.Require(
                    timedOut || when switch
                    {
                        ReturnWhen.AllCompleted => p.Length == 0,
                        ReturnWhen.FirstCompleted => d.Length > 0,
                        _ => p.Length == 0 || d.Any(x => x.IsFaulted),
                    },
                    () => $"returned in mode {when} without a timeout with Done {d.Length}, Pending {p.Length}",
                    race);
            }

            Driver.Require(world.Time.Armed == 0, () => $"{world.Time.Armed} timer(s) still armed after Wait completed", race);
            if (pendingAtCall)
            {
                leaks.Track(done, race.ToString(), world.Cts, world.Time, world.NeverEnding());
            }
        }

        world.ObserveAll();
    }

    /// <summary>Form: 0 (tasks), 1 (tasks, timeout, timeProvider, token), 2/3 the same, non-generic.</summary>
    private static void PlayAsCompleted(RacingHotScenario race, LeakProbe leaks)
    {
        HotScenario s = race.Hot;
        if (s.Form % 2 == 0)
        {
            race = race with { Hot = s = s with { Token = new TokenPlan(TokenMode.None, 0, 0), TimeoutSeconds = null } };
        }

        var world = new HotWorld(s, "AsCompleted", exceptionsMustBeObserved: false);
        TimeSpan timeout = s.TimeoutSeconds is int t ? TimeSpan.FromSeconds(t) : Timeout.InfiniteTimeSpan;
        var yielded = new List<Task>();
        Task<string>? consumer = null;
        IAsyncEnumerator<Task>? enumerator = null;
        PlaySteps(race, world, () =>
        {
            enumerator = (s.Form < 2, s.Form % 2 == 1) switch
            {
                (true, false) => Async.AsCompleted(world.Inputs).GetAsyncEnumerator(),
                (true, true) => Async.AsCompleted(world.Inputs, timeout, world.Time, world.Token).GetAsyncEnumerator(),
                (false, false) => Async.AsCompleted(world.Inputs.Cast<Task>()).GetAsyncEnumerator(),
                _ => Async.AsCompleted(world.Inputs.Cast<Task>(), timeout, world.Time, world.Token).GetAsyncEnumerator(),
            };
            consumer = Consume(enumerator, yielded);
        });

        int[] distinct = s.Inputs.Distinct().ToArray();
        bool allEnded = distinct.All(i => Ended(s, i));
        bool mustEnd = allEnded || TokenCancelled(s) || s.TimeoutSeconds <= race.TicksAfterCall;
        bool canEnd = allEnded || TokenCancelled(s) || s.TimeoutSeconds <= s.Steps;
        Task<string> end = consumer!;
        if (mustEnd)
        {
            Hang.Settled(end, "the enumeration");
        }
        else if (!canEnd)
        {
            Driver.Require(!end.IsCompleted, () => "the enumeration ended although an input never ends", race);
        }

        Task[] items;
        lock (yielded)
        {
            items = yielded.ToArray();
        }

        Task[] sources = world.Sources;
        var inputSet = distinct.Select(i => (Task)sources[i]).ToHashSet();
        Driver.Require(items.Length == items.Distinct().Count(), () => "a task was yielded twice", race);
        Driver.Require(items.All(inputSet.Contains) && items.All(x => x.IsCompleted), () => "yielded a task that is not a completed input", race);
        if (end.IsCompleted)
        {
            string how = end.Result;
            Driver.Require(
                how switch
                {
                    "end" => inputSet.SetEquals(items),
                    "timeout" => s.TimeoutSeconds is not null,
                    "OCE" => TokenCancelled(s),
                    _ => false,
                },
                () => $"the enumeration ended with {how} after {items.Length} of {inputSet.Count} tasks",
                race);
            Driver.Require(world.Time.Armed == 0, () => $"{world.Time.Armed} timer(s) still armed after the enumeration ended", race);
            leaks.Track(enumerator!, race.ToString(), world.Cts, world.Time, world.NeverEnding());
        }

        world.ObserveAll();
    }

    private static async Task<string> Consume(IAsyncEnumerator<Task> enumerator, List<Task> yielded)
    {
        string how;
        try
        {
            while (await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                lock (yielded)
                {
                    yielded.Add(enumerator.Current);
                }
            }

            how = "end";
        }
        catch (TimeoutException)
        {
            how = "timeout";
        }
        catch (OperationCanceledException)
        {
            how = "OCE";
        }

        await enumerator.DisposeAsync().ConfigureAwait(false);
        return how;
    }
}
