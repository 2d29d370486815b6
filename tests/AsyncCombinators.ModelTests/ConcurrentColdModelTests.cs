using AsyncCombinators.ModelTests.Infrastructure;
using CsCheck;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// A cold scenario played in rounds by <see cref="Threads"/> racing threads: an operation with duration d ends in the
/// d-th round after its start was first seen, on its thread; the caller's token is cancelled at round
/// <see cref="CancelRound"/> (or when nothing else can happen) if the form passes one. <see cref="Lengths"/> splits the
/// operations into Merge's sources.
/// </summary>
public sealed record RacingColdScenario(ColdScenario Cold, int Threads, int[] ThreadOf, int CancelRound, int[] Lengths)
{
    public static Gen<RacingColdScenario> Gen(int maxOps, bool breakEarly, int forms) =>
        from cold in ColdScenarios.Cold(0, maxOps, timeout: false, token: true, bound: true, stagger: false, breakEarly, forms)
        from asyncContinuations in CsCheck.Gen.Bool
        from threads in CsCheck.Gen.Int[2, 4]
        from threadOf in CsCheck.Gen.Int[0, 3].Array[cold.Ops.Length]
        from cancelRound in CsCheck.Gen.Int[0, 6]
        from cuts in CsCheck.Gen.Int[0, 3].Array[cold.Ops.Length]
        select new RacingColdScenario(
            cold with { AsyncContinuations = asyncContinuations },
            threads,
            threadOf.Select(t => t % threads).ToArray(),
            cancelRound,
            Split(cuts));

    /// <summary>Gets whether the caller's token is cancelled at some point.</summary>
    public bool Cancels => Cold.Token.Mode is TokenMode.PreCanceled or TokenMode.At;

    /// <summary>Cuts the operations into sources of up to five: a new source starts where the cut draw is 0 or the source is full.</summary>
    private static int[] Split(int[] cuts)
    {
        var lengths = new List<int>();
        foreach (int cut in cuts)
        {
            if (lengths.Count == 0 || cut == 0 || lengths[^1] == 5)
            {
                lengths.Add(0);
            }

            lengths[^1]++;
        }

        return lengths.ToArray();
    }

    public override string ToString() =>
        $"threads={Threads} cancelRound={CancelRound} threadOf=[{string.Join(",", ThreadOf)}] lengths=[{string.Join(",", Lengths)}] {Cold}";
}

/// <summary>
/// Gather and GatherOutcomes over operations, AsCompleted over operations, Map and Merge with the ends of each round
/// coming from several threads at once, racing the library's own starts and its cancellation of the running ones.
/// Checked whatever the order: each operation started at most once and in input order, never more than the bound
/// running, each input counted once (results, outcomes, yields, items), the call ending only as the contract allows,
/// nothing left running, no timer armed, no exception unobserved, no hang.
/// </summary>
public sealed class ConcurrentColdModelTests
{
    private readonly ITestOutputHelper _output;

    public ConcurrentColdModelTests(ITestOutputHelper output) => _output = output;

    private enum Combinator
    {
        Gather,
        GatherOutcomes,
        AsCompleted,
        Map,
        Merge,
    }

    [Fact]
    public void Gather_RacingOperationEnds_KeepsInvariants() =>
        ModelProperty.Run(RacingColdScenario.Gen(40, breakEarly: false, forms: 2), (s, leaks) => Play(s, Combinator.Gather, leaks), _output);

    [Fact]
    public void GatherOutcomes_RacingOperationEnds_KeepsInvariants() =>
        ModelProperty.Run(RacingColdScenario.Gen(40, breakEarly: false, forms: 2), (s, leaks) => Play(s, Combinator.GatherOutcomes, leaks), _output);

    [Fact]
    public void AsCompleted_RacingOperationEnds_KeepsInvariants() =>
        ModelProperty.Run(RacingColdScenario.Gen(40, breakEarly: true, forms: 2), (s, leaks) => Play(s, Combinator.AsCompleted, leaks), _output);

    [Fact]
    public void Map_RacingSelectorEnds_KeepsInvariants() =>
        ModelProperty.Run(RacingColdScenario.Gen(40, breakEarly: true, forms: 4), (s, leaks) => Play(s, Combinator.Map, leaks), _output);

    [Fact]
    public void Merge_RacingSourceItems_KeepsInvariants() =>
        ModelProperty.Run(RacingColdScenario.Gen(30, breakEarly: true, forms: 2), (s, leaks) => Play(s, Combinator.Merge, leaks), _output);

    /// <summary>
    /// Form 0: no token; 1: the token. Map: form / 2 picks ordered. The bound is omitted when MaxConcurrency is 0 (Map
    /// and Merge: a bound of 1..5 is always passed to Map; Merge passes it when the form takes the token).
    /// </summary>
    private static void Play(RacingColdScenario race, Combinator combinator, LeakProbe leaks)
    {
        ColdScenario s = race.Cold;
        bool withToken = s.Form % 2 == 1;
        if (!withToken)
        {
            s = s with { Token = new TokenPlan(TokenMode.None, 0, 0) };
        }

        if (combinator == Combinator.Map && s.MaxConcurrency == 0)
        {
            s = s with { MaxConcurrency = 1 + (s.Ops.Length % 5) };
        }

        if (combinator == Combinator.Merge && !withToken)
        {
            s = s with { MaxConcurrency = 0 };
        }

        if (combinator != Combinator.AsCompleted && combinator != Combinator.Map && combinator != Combinator.Merge)
        {
            s = s with { BreakAfter = 0 };
        }

        race = race with { Cold = s };
        int n = s.Ops.Length;
        int max = s.MaxConcurrency == 0 ? int.MaxValue : s.MaxConcurrency;
        bool outcomes = combinator == Combinator.GatherOutcomes;
        var world = new ColdWorld(s, combinator.ToString(), exceptionsMustBeObserved: !outcomes && combinator != Combinator.AsCompleted);
        var problems = new List<string>();
        void Problem(string what)
        {
            lock (problems)
            {
                problems.Add(what);
            }
        }

        if (combinator != Combinator.Merge)
        {
            world.OnStarting = i =>
            {
                int started = world.StartedCount;
                if (i != started)
                {
                    Problem($"operation {i} started as start number {started}");
                }

                if (world.Running().Length >= max)
                {
                    Problem($"operation {i} started with {world.Running().Length} running at a bound of {max}");
                }
            };
        }

        world.BeforeCall();
        var merge = new MergeScenario(s, race.Lengths, 0);
        MergeModelTests.WorldSource[] sources = combinator == Combinator.Merge
            ? Enumerable.Range(0, race.Lengths.Length).Select(k => new MergeModelTests.WorldSource(world, merge, k, problems) { Bound = new MergeModelTests.StrongBox(max) }).ToArray()
            : Array.Empty<MergeModelTests.WorldSource>();
        MergeModelTests.StrongBox shared = new(max);
        foreach (MergeModelTests.WorldSource source in sources)
        {
            source.Bound = shared;
        }

        Task? call = null;
        StreamConsumer? consumer = null;
        var yields = new List<(int Index, Task Task)>();
        Task<string>? asCompleted = null;
        IAsyncEnumerator<(int Index, Task<int> Task)>? pairs = null;
        IEnumerable<Func<CancellationToken, Task<int>>> ops = world.Operations;
        switch (combinator)
        {
            case Combinator.Gather:
                call = (withToken, s.MaxConcurrency) switch
                {
                    (false, 0) => Async.Gather(ops),
                    (false, _) => Async.Gather(ops, s.MaxConcurrency),
                    (true, 0) => Async.Gather(ops, cancellationToken: world.Token),
                    _ => Async.Gather(ops, s.MaxConcurrency, world.Token),
                };
                break;
            case Combinator.GatherOutcomes:
                call = (withToken, s.MaxConcurrency) switch
                {
                    (false, 0) => Async.GatherOutcomes(ops),
                    (false, _) => Async.GatherOutcomes(ops, s.MaxConcurrency),
                    (true, 0) => Async.GatherOutcomes(ops, cancellationToken: world.Token),
                    _ => Async.GatherOutcomes(ops, s.MaxConcurrency, world.Token),
                };
                break;
            case Combinator.AsCompleted:
                int bound = s.MaxConcurrency == 0 ? n + 1 : s.MaxConcurrency;
                pairs = Async.AsCompleted(ops, bound, world.Token).GetAsyncEnumerator();
                asCompleted = ConsumePairs(pairs, yields, s.BreakAfter);
                break;
            case Combinator.Map:
                consumer = new StreamConsumer(false, s.BreakAfter, StreamConsumer.Names(world, null));
                consumer.Start(Async.Map(Enumerable.Range(0, n), (item, ct) => world.Operations[item](ct), s.MaxConcurrency, ordered: s.Form < 2, world.Token));
                break;
            default:
                consumer = new StreamConsumer(false, s.BreakAfter, StreamConsumer.Names(world, null));
                consumer.Start((withToken, s.MaxConcurrency) switch
                {
                    (false, _) => Async.Merge(sources),
                    (true, 0) => Async.Merge(sources, new ConcurrencyOptions(), world.Token),
                    _ => Async.Merge(sources, s.MaxConcurrency, world.Token),
                });
                break;
        }

        bool pendingAtCall = call is { IsCompleted: false };
        Func<bool> ended = combinator switch
        {
            Combinator.Gather or Combinator.GatherOutcomes => () => call!.IsCompleted,
            Combinator.AsCompleted => () => asCompleted!.IsCompleted,
            _ => () => consumer!.Ended,
        };

        bool stops = combinator is Combinator.Gather or Combinator.Map or Combinator.Merge;
        Func<bool> quiet = combinator switch
        {
            // A slot is held from a selector's start until its result is handed over.
            Combinator.Map => () => !world.Running().Any(i => s.Ops[i].Kind != InputKind.Never)
                && (world.StartedCount - consumer!.Count >= max || world.StartedCount == n),
            Combinator.Merge => () => world.Running().Count(i => s.Ops[i].Kind == InputKind.Never) == world.Running().Length
                && world.Running().Length == Volatile.Read(ref shared.Active)
                && (shared.Active >= max || sources.All(x => x.Enumerations > 0)),
            _ => () => !world.Running().Any(i => s.Ops[i].Kind != InputKind.Never)
                && (world.Running().Length >= max || world.StartedCount == n),
        };
        bool cancelled = s.Token.Mode == TokenMode.PreCanceled;
        bool failed;
        bool mayStayPending;
        while (true)
        {
            cancelled = PlayRounds(race, world, ended, quiet, stops, cancelled);
            failed = Enumerable.Range(0, n).Any(i => Failed(world, i));
            bool neverRunning = world.Running().Any(i => s.Ops[i].Kind == InputKind.Never);
            mayStayPending = !cancelled && !(stops && failed) && neverRunning;
            if (mayStayPending || ended())
            {
                break;
            }

            // The rounds stopped at a stuck snapshot that went stale: Map's consumer had taken an item it had not yet
            // counted, so the freed slot started one more operation, and then it left the loop, cancelling the operation
            // that never ends. The call now waits for the new operation: play on once it runs.
            Hang.Until(
                () => ended() || world.Running().Any(i => s.Ops[i].Kind != InputKind.Never),
                () => $"the call did not end. running=[{string.Join(",", world.Running())}] started={world.StartOrder} consumed={consumer?.Count} Scenario: {race}");
        }

        lock (problems)
        {
            Driver.Require(problems.Count == 0, () => string.Join("; ", problems), race);
        }

        if (!ended())
        {
            Driver.Require(mayStayPending, () => "still running", race);
            world.ObserveAll();
            return;
        }

        ColdDriver.RequireNothingLeft(world, completed: true);
        int[] started = world.StartOrder.Length == 0 ? Array.Empty<int>() : world.StartOrder.Split(',').Select(int.Parse).ToArray();
        switch (combinator)
        {
            case Combinator.Gather:
            case Combinator.GatherOutcomes:
                CheckGather(race, world, call!, outcomes, cancelled, started);
                if (pendingAtCall)
                {
                    leaks.Track(call!, race.ToString(), world.Cts, world.Time);
                }

                break;
            case Combinator.AsCompleted:
                string how = asCompleted!.Result;
                Driver.Require(yields.Select(y => y.Index).Distinct().Count() == yields.Count, () => "an index was yielded twice", race);
                Driver.Require(yields.All(y => y.Task.IsCompleted && (world.TaskOf(y.Index) is null || ReferenceEquals(world.TaskOf(y.Index), y.Task))), () => "yielded a task that is not the operation's, or not completed", race);
                Driver.Require(
                    how switch { "end" => yields.Count == n, "break" => yields.Count == s.BreakAfter, "OCE" => cancelled, _ => false },
                    () => $"the enumeration ended with {how} after {yields.Count} of {n}",
                    race);
                world.ObserveAll();
                leaks.Track(pairs!, race.ToString(), world.Cts, world.Time);
                break;
            default:
                int[] items = consumer!.Items.Select(v => v - 2000).ToArray();
                Driver.Require(items.Distinct().Count() == items.Length && items.All(i => world.TaskOf(i) is { IsCompletedSuccessfully: true }), () => $"items [{string.Join(",", items)}] not each a distinct successful operation", race);
                if (combinator == Combinator.Map && s.Form < 2)
                {
                    Driver.Require(items.SequenceEqual(Enumerable.Range(0, items.Length)), () => $"ordered Map yielded [{string.Join(",", items)}]", race);
                }

                if (combinator == Combinator.Merge)
                {
                    Driver.Require(
                        Enumerable.Range(0, race.Lengths.Length).All(k => items.Where(i => merge.SourceOf(i) == k).SequenceEqual(Enumerable.Range(merge.FirstOf(k), items.Count(i => merge.SourceOf(i) == k)))),
                        () => $"a source's items out of order: [{string.Join(",", items)}]",
                        race);
                    Driver.Require(sources.All(x => x.Disposals == x.Enumerations && x.Enumerations <= 1), () => "a source not disposed once per enumeration", race);
                }

                string end = consumer.EndText;
                Exception? firstFailure = null;
                Driver.Require(
                    end switch
                    {
                        "end" => items.Length == n && !failed,
                        "break" => items.Length == s.BreakAfter,
                        "OCE" => cancelled || Enumerable.Range(0, n).Any(i => s.Ops[i].Kind == InputKind.Cancel && world.TaskOf(i) is { IsCanceled: true }),
                        _ => end.StartsWith("fault:", StringComparison.Ordinal) && int.TryParse(end.AsSpan(6), out int f) && Failed(world, f) && (firstFailure = world.Exceptions[f]) is not null,
                    },
                    () => $"ended with {end} after {items.Length} of {n} items",
                    race);
                leaks.Track(consumer.Enumerator!, race.ToString(), world.Cts, world.Time);
                break;
        }
    }

    /// <summary>Whether operation <paramref name="i"/> failed by itself: a synchronous throw, a fault, or a cancellation not caused by the call.</summary>
    private static bool Failed(ColdWorld world, int i)
    {
        OpSpec op = world.Scenario.Ops[i];
        return op.Kind == InputKind.Throw
            ? world.StartOrder.Split(',').Contains(i.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : world.TaskOf(i) is { } task && ((op.Kind == InputKind.Fault && task.IsFaulted) || (op.Kind == InputKind.Cancel && task.IsCanceled));
    }

    /// <summary>
    /// Plays rounds until the call has ended or is stuck as the contract allows (an operation that never ends running,
    /// nothing failed, nothing cancelled): waits until an end can be played or nothing is left to play, then ends the
    /// due operations, each on its thread, with the token's cancel on the first thread, all released at once.
    /// </summary>
    private static bool PlayRounds(RacingColdScenario race, ColdWorld world, Func<bool> ended, Func<bool> quiet, bool stops, bool cancelled)
    {
        ColdScenario s = race.Cold;
        int n = s.Ops.Length;
        var seen = new int[n];
        Array.Fill(seen, -1);
        bool Completable(int i) => s.Ops[i].Kind != InputKind.Never;
        bool Stuck() =>
            !cancelled && !(stops && Enumerable.Range(0, n).Any(i => Failed(world, i))) && world.Running().Any(i => !Completable(i));

        for (int round = 0; round < 1_000; round++)
        {
            Hang.Until(() => ended() || world.Running().Any(Completable) || quiet(), () => $"the library neither ended nor started anything. Scenario: {race}");
            if (ended())
            {
                return cancelled;
            }

            int[] running = world.Running();
            foreach (int i in running)
            {
                if (seen[i] < 0)
                {
                    seen[i] = round;
                }
            }

            int[] due = running.Where(i => Completable(i) && seen[i] + Math.Max(1, s.Ops[i].Duration) - 1 <= round).ToArray();
            bool idle = !running.Any(Completable);
            bool cancelNow = s.Token.Mode == TokenMode.At && !cancelled && (round >= race.CancelRound || idle);
            if (due.Length == 0 && !cancelNow)
            {
                // Stuck only when the library has nothing more to start either: "idle" is a snapshot, and a start may be
                // on its way (Map frees a slot when the consumer takes an item, then starts the next operation).
                if (idle && Stuck() && quiet())
                {
                    return cancelled;
                }

                if (idle)
                {
                    // Not stuck: the library must end the call or start something; wait for either.
                    Hang.Until(() => ended() || world.Running().Any(Completable) || Stuck(), () => $"the call neither ended nor started an operation. Scenario: {race}");
                }

                continue;
            }

            var actions = Enumerable.Range(0, race.Threads)
                .Select(t => due.Where(i => race.ThreadOf[i] == t).ToArray())
                .Where(batch => batch.Length > 0)
                .Select(batch => (Action)(() =>
                {
                    foreach (int i in batch)
                    {
                        world.End(i);
                    }
                }))
                .ToList();
            if (cancelNow)
            {
                actions.Add(() => world.Cts!.Cancel());
                cancelled = true;
            }

            Racer.Race(actions);
        }

        throw new ModelDivergenceException($"Hang guard: more than 1000 rounds. Scenario: {race}");
    }

    private static void CheckGather(RacingColdScenario race, ColdWorld world, Task call, bool outcomes, bool cancelled, int[] started)
    {
        ColdScenario s = race.Cold;
        int n = s.Ops.Length;
        int[] failures = Enumerable.Range(0, n).Where(i => Failed(world, i)).ToArray();
        if (outcomes)
        {
            if (call.IsCanceled)
            {
                Driver.Require(cancelled, () => "GatherOutcomes ended canceled without a cancelled token", race);
                world.ObserveAll();
                return;
            }

            Driver.Require(call.IsCompletedSuccessfully && started.Length == n, () => $"GatherOutcomes ended {call.Status} with {started.Length} of {n} started", race);
            Outcome<int>[] result = ((Task<Outcome<int>[]>)call).Result;
            for (int i = 0; i < n; i++)
            {
                Task<int>? task = world.TaskOf(i);
                Outcome<int> o = result[i];
                bool matches = task is null
                    ? o.IsFaulted && ReferenceEquals(o.Exception, world.Exceptions[i])
                    : task.IsCompletedSuccessfully ? o.IsSuccess && o.Value == ColdWorld.ValueOf(i)
                    : task.IsFaulted ? o.IsFaulted && ReferenceEquals(o.Exception, world.Exceptions[i])
                    : o.IsCanceled;
                int index = i;
                Driver.Require(matches, () => $"outcome {index} does not match its operation", race);
            }

            world.ObserveAll();
            return;
        }

        if (call.IsCompletedSuccessfully)
        {
            Driver.Require(failures.Length == 0 && ((Task<int[]>)call).Result.SequenceEqual(Enumerable.Range(0, n).Select(ColdWorld.ValueOf)), () => "Gather returned values although something failed, or not every value in order", race);
            return;
        }

        if (call.IsCanceled)
        {
            Driver.Require(cancelled || failures.Any(i => s.Ops[i].Kind == InputKind.Cancel), () => "Gather ended canceled with no cancellation", race);
        }
        else
        {
            AggregateException aggregate = call.Exception!;
            Exception first = aggregate.InnerException!;
            Driver.Require(failures.Any(i => ReferenceEquals(world.Exceptions[i], first)), () => $"Gather threw {first.GetType().Name}: {first.Message}, not a failure", race);
        }

        if (call.Exception is { } all)
        {
            Exception[] faults = failures.Where(i => s.Ops[i].Kind is InputKind.Fault or InputKind.Throw).Select(i => (Exception)world.Exceptions[i]).ToArray();
            var inner = all.InnerExceptions.ToList();
            Driver.Require(faults.All(inner.Contains) && inner.Count == inner.Distinct().Count() && inner.Where(e => !faults.Contains(e)).All(e => e is OperationCanceledException), () => $"the AggregateException [{string.Join(", ", inner.Select(e => e.Message))}] is not every fault once", race);
        }
    }

    private static async Task<string> ConsumePairs(IAsyncEnumerator<(int Index, Task<int> Task)> enumerator, List<(int Index, Task Task)> yields, int breakAfter)
    {
        string how = "end";
        try
        {
            while (await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                lock (yields)
                {
                    yields.Add((enumerator.Current.Index, enumerator.Current.Task));
                    if (yields.Count == breakAfter)
                    {
                        how = "break";
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            how = "OCE";
        }

        await enumerator.DisposeAsync().ConfigureAwait(false);
        return how;
    }
}
