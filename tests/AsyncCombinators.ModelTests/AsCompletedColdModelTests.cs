using AsyncCombinators.ModelTests.Infrastructure;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>AsCompleted over operations (maxConcurrency, token) against <see cref="AsCompletedColdSim"/>, consumed eagerly.</summary>
public sealed class AsCompletedColdModelTests
{
    private readonly ITestOutputHelper _output;

    public AsCompletedColdModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void AsCompleted_GeneratedOperations_MatchesModel() =>
        ModelProperty.Run(
            ColdScenarios.Cold(0, 40, timeout: false, token: true, bound: true, stagger: false, breakEarly: false, forms: 3),
            Play,
            _output);

    /// <summary>Form: 0 (ops), 1 (ops, maxConcurrency), 2 (ops, maxConcurrency, token).</summary>
    internal static void Play(ColdScenario scenario, LeakProbe? leaks)
    {
        if (scenario.Form < 2)
        {
            scenario = scenario with { Token = new TokenPlan(TokenMode.None, 0, 0) };
        }

        if (scenario.Form == 0)
        {
            scenario = scenario with { MaxConcurrency = 0 };
        }

        var world = new ColdWorld(scenario, "AsCompleted", exceptionsMustBeObserved: false);
        var model = new AsCompletedColdSim(scenario);
        model.Run();
        world.BeforeCall();
        int max = scenario.MaxConcurrency == 0 ? int.MaxValue : scenario.MaxConcurrency;
        IAsyncEnumerable<(int Index, Task<int> Task)> sequence = scenario.Form switch
        {
            0 => Async.AsCompleted(world.Operations),
            1 => Async.AsCompleted(world.Operations, max),
            _ => Async.AsCompleted(world.Operations, maxConcurrency: max, cancellationToken: world.Token),
        };
        var consumer = new Consumer(world);
        consumer.Start(sequence);
        ColdDriver.Play(model, world, consumer.Observe);

        string expectedOrder = string.Join(",", model.Order);
        string yielded = consumer.YieldedText;
        Driver.Require(
            model.Canceled ? yielded.StartsWith(expectedOrder, StringComparison.Ordinal) : yielded == expectedOrder,
            () => $"yielded [{yielded}], the model [{expectedOrder}]{(model.Canceled ? " then possibly operations the cancellation ended" : string.Empty)}",
            scenario);
        Driver.Require(consumer.Problems.Count == 0, () => string.Join("; ", consumer.Problems), scenario);
        Endings.Require(new ValueEnding(consumer.EndText), model.Accepted.Select(e => e is PendingEnding ? new ValueEnding("pending") : e).ToList(), scenario);
        ColdDriver.RequireNothingLeft(world, consumer.Ended);
        world.ObserveAll();
        if (leaks is not null && consumer.Ended && consumer.Enumerator is not null)
        {
            leaks.Track(consumer.Enumerator, scenario.ToString(), world.Cts, world.Time);
        }
    }

    /// <summary>Consumes eagerly, recording each yielded index and checking that the yielded task is complete and is the operation's own.</summary>
    private sealed class Consumer
    {
        private readonly ColdWorld _world;
        private readonly List<int> _yielded = new();
        private volatile bool _ended;
        private string _end = "pending";

        public Consumer(ColdWorld world) => _world = world;

        public IAsyncEnumerator<(int Index, Task<int> Task)>? Enumerator { get; private set; }

        public List<string> Problems { get; } = new();

        public bool Ended => _ended;

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
                return new Observation(_world.StartedCount, _yielded.Count, _ended);
            }
        }

        public void Start(IAsyncEnumerable<(int Index, Task<int> Task)> sequence)
        {
            Enumerator = sequence.GetAsyncEnumerator();
            _ = Run(Enumerator);
        }

        private async Task Run(IAsyncEnumerator<(int Index, Task<int> Task)> enumerator)
        {
            string end;
            try
            {
                while (await enumerator.MoveNextAsync())
                {
                    (int index, Task<int> task) = enumerator.Current;
                    Task<int>? own = _world.TaskOf(index);
                    lock (_yielded)
                    {
                        if (!task.IsCompleted)
                        {
                            Problems.Add($"operation {index} was yielded before it completed");
                        }

                        if (own is not null && !ReferenceEquals(own, task))
                        {
                            Problems.Add($"operation {index} was yielded as another task than the one it returned");
                        }

                        if (_yielded.Contains(index))
                        {
                            Problems.Add($"operation {index} was yielded twice");
                        }

                        _yielded.Add(index);
                    }
                }

                end = "end";
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
