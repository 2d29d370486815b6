using AsyncCombinators.ModelTests.Infrastructure;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// AsCompleted over hot tasks, every overload, against a model of the contract: the original tasks, each distinct one
/// once, already complete, in completion order (already-complete inputs in input order); the timeout measured from
/// GetAsyncEnumerator yields what completed before it and then throws TimeoutException; the token throws
/// OperationCanceledException; nothing is left on a never-ending input, the token or the clock.
/// </summary>
public sealed class AsCompletedHotModelTests
{
    private readonly ITestOutputHelper _output;

    public AsCompletedHotModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void AsCompleted_GeneratedHotTasks_MatchesModel() =>
        ModelProperty.Run(Scenarios.Hot(0, 40, timeout: true, token: true, forms: 12), Play, _output);

    /// <summary>
    /// Form: generic when Form &lt; 6; overload = Form % 6: 0 (tasks), 1 (tasks, null or Zero), 2 (tasks, null or Zero,
    /// token), 3 (tasks, timeout, timeProvider, token), 4 (tasks, token), 5 (tasks).WithCancellation(token).
    /// </summary>
    internal static void Play(HotScenario scenario, LeakProbe? leaks)
    {
        bool generic = scenario.Form < 6;
        int overload = scenario.Form % 6;
        if (overload is 0 or 1)
        {
            scenario = scenario with { Token = new TokenPlan(TokenMode.None, 0, 0) };
        }

        if (overload is 0 or 4 or 5 || (overload < 3 && scenario.TimeoutSeconds != 0))
        {
            scenario = scenario with { TimeoutSeconds = null };
        }

        var world = new HotWorld(scenario, "AsCompleted", exceptionsMustBeObserved: false);
        Model model = Predict(scenario, world);
        world.BeforeCall();
        var consumer = new Consumer(world);
        consumer.Start(Call(world, generic, overload));
        if (model.Expected is null)
        {
            Hang.Until(() => consumer.Ended, () => "the enumeration did not end");
        }
        else
        {
            Driver.Play(world.Events, world.Play, model.Expected, consumer.Observe, scenario);
        }

        string yielded = consumer.YieldedText;
        Driver.Require(
            model.Yielded.Contains(yielded),
            () => $"yielded [{yielded}], the model accepts [{string.Join("] or [", model.Yielded)}]",
            scenario);
        Driver.Require(consumer.AllCompletedWhenYielded, () => "a task was yielded before it completed", scenario);
        Driver.Require(
            model.Ends.Contains(consumer.EndText),
            () => $"the enumeration ended with {consumer.EndText}, the model expects {string.Join(" or ", model.Ends)}",
            scenario);
        if (consumer.Ended)
        {
            Driver.Require(world.Time.Armed == 0, () => $"{world.Time.Armed} timer(s) still armed after the enumeration ended", scenario);
        }

        world.ObserveAll();
        if (leaks is not null && consumer.Ended && consumer.Enumerator is not null)
        {
            leaks.Track(consumer.Enumerator, scenario.ToString(), world.Cts, world.Time, world.NeverEnding());
        }
    }

    private static IAsyncEnumerable<Task> Call(HotWorld world, bool generic, int overload)
    {
        CancellationToken token = world.Token;
        TimeSpan? timeout = world.Scenario.TimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null;
        if (generic)
        {
            IEnumerable<Task<int>> tasks = world.Inputs;
            return overload switch
            {
                0 => Async.AsCompleted(tasks),
                1 => Async.AsCompleted(tasks, timeout),
                2 => Async.AsCompleted(tasks, timeout, token),
                3 => Async.AsCompleted(tasks, timeout, world.Time, token),
                4 => Async.AsCompleted(tasks, token),
                _ => Async.AsCompleted(tasks).WithCancellation(token).AsEnumerable(),
            };
        }

        IEnumerable<Task> plain = world.Inputs;
        return overload switch
        {
            0 => Async.AsCompleted(plain),
            1 => Async.AsCompleted(plain, timeout),
            2 => Async.AsCompleted(plain, timeout, token),
            3 => Async.AsCompleted(plain, timeout, world.Time, token),
            4 => Async.AsCompleted(plain, token),
            _ => Async.AsCompleted(plain).WithCancellation(token).AsEnumerable(),
        };
    }

    /// <summary>What the model predicts: observations (null when only the end can be checked), accepted yield orders, the end.</summary>
    private sealed record Model(List<Observation>? Expected, List<string> Yielded, List<string> Ends);

    private static Model Predict(HotScenario s, HotWorld world)
    {
        var done = new bool[s.Sources.Length];
        var order = new List<int>();
        foreach (int input in s.Inputs)
        {
            if (!done[input] && s.Sources[input].Kind != InputKind.Never && s.Sources[input].Step == 0)
            {
                done[input] = true;
                order.Add(input);
            }
        }

        string? end = order.Count == s.Sources.Length ? "end" : null;
        if (end is null && s.TimeoutSeconds == 0)
        {
            end = nameof(TimeoutException);
        }

        if (s.Token.Mode == TokenMode.PreCanceled)
        {
            // The contract does not say whether inputs complete before the call are yielded before the cancellation
            // is seen: any prefix of them is accepted, then OperationCanceledException (or the normal end once all
            // inputs were yielded).
            var prefixes = Enumerable.Range(0, order.Count + 1).Select(n => string.Join(",", order.Take(n))).ToList();
            var ends = new List<string> { nameof(OperationCanceledException) };
            if (end is not null)
            {
                ends.Add(end);
            }

            return new Model(null, prefixes, ends);
        }

        var expected = new List<Observation> { new(0, order.Count, end is not null) };
        foreach (TimelineEvent e in world.Events)
        {
            if (end is null)
            {
                switch (e.Kind)
                {
                    case EventKind.Complete:
                        order.Add(e.Index);
                        end = order.Count == s.Sources.Length ? "end" : null;
                        break;
                    case EventKind.Tick:
                        end = e.Index == s.TimeoutSeconds ? nameof(TimeoutException) : null;
                        break;
                    default:
                        end = nameof(OperationCanceledException);
                        break;
                }
            }

            expected.Add(new Observation(0, order.Count, end is not null));
        }

        return new Model(expected, new List<string> { string.Join(",", order) }, new List<string> { end ?? "pending" });
    }

    /// <summary>Consumes an enumeration eagerly on the pool, recording each yielded source and how it ended.</summary>
    private sealed class Consumer
    {
        private readonly HotWorld _world;
        private readonly List<int> _yielded = new();
        private volatile bool _ended;
        private string _end = "pending";

        public Consumer(HotWorld world) => _world = world;

        public IAsyncEnumerator<Task>? Enumerator { get; private set; }

        public bool Ended => _ended;

        public bool AllCompletedWhenYielded { get; private set; } = true;

        public string EndText => _ended ? _end : "pending";

        public string YieldedText
        {
            get
            {
                lock (_yielded)
                {
                    return string.Join(",", _yielded);
                }
            }
        }

        public Observation Observe()
        {
            lock (_yielded)
            {
                return new Observation(0, _yielded.Count, _ended);
            }
        }

        public void Start(IAsyncEnumerable<Task> sequence)
        {
            // GetAsyncEnumerator here, on the scenario thread: the timeout is measured from it.
            Enumerator = sequence.GetAsyncEnumerator();
            _ = Run(Enumerator);
        }

        private async Task Run(IAsyncEnumerator<Task> enumerator)
        {
            Task<int>[] sources = _world.Sources;
            string end;
            try
            {
                while (await enumerator.MoveNextAsync())
                {
                    Task current = enumerator.Current;
                    AllCompletedWhenYielded &= current.IsCompleted;
                    lock (_yielded)
                    {
                        _yielded.Add(Array.IndexOf(sources, current));
                    }
                }

                end = "end";
            }
            catch (TimeoutException)
            {
                end = nameof(TimeoutException);
            }
            catch (OperationCanceledException)
            {
                end = nameof(OperationCanceledException);
            }
            catch (Exception e)
            {
                end = e.GetType().Name;
            }

            await enumerator.DisposeAsync();
            lock (_yielded)
            {
                _end = end;
                _ended = true;
            }
        }
    }
}

internal static class AsyncEnumerableExtensions
{
    /// <summary>Turns a WithCancellation view back into a sequence that enumerates it.</summary>
    public static IAsyncEnumerable<Task> AsEnumerable<TTask>(this System.Runtime.CompilerServices.ConfiguredCancelableAsyncEnumerable<TTask> source)
        where TTask : Task => Enumerate(source);

    private static async IAsyncEnumerable<Task> Enumerate<TTask>(System.Runtime.CompilerServices.ConfiguredCancelableAsyncEnumerable<TTask> source)
        where TTask : Task
    {
        await foreach (TTask task in source)
        {
            yield return task;
        }
    }
}
