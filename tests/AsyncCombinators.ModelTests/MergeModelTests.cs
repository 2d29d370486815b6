using AsyncCombinators.ModelTests.Infrastructure;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// Merge over generated async sources (bound, ConcurrencyOptions, token, a consumer that asks at once or slowly,
/// leaving early, sources that fail or hang) against <see cref="MergeSim"/>: the items received and their order (each
/// source's order kept), one item held per source, the bound over sources, a failing source cancelling and disposing
/// the others, and nothing left running.
/// </summary>
public sealed class MergeModelTests
{
    private readonly ITestOutputHelper _output;

    public MergeModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Merge_GeneratedSources_MatchesModel() =>
        ModelProperty.Run(MergeScenario.Gen(paced: true, forms: 3), Play, _output);

    /// <summary>Form: 0 (sources), 1 (sources, maxConcurrency, token), 2 (sources, ConcurrencyOptions, token).</summary>
    internal static void Play(MergeScenario merge, LeakProbe? leaks)
    {
        ColdScenario scenario = merge.Cold;
        if (scenario.Form == 0)
        {
            scenario = scenario with { MaxConcurrency = 0, Token = new TokenPlan(TokenMode.None, 0, 0) };
            merge = merge with { Cold = scenario };
        }

        var world = new ColdWorld(scenario, "Merge", exceptionsMustBeObserved: true);
        var model = new MergeSim(merge);
        model.Run();
        var problems = new List<string>();
        var sources = Enumerable.Range(0, merge.Lengths.Length).Select(s => new WorldSource(world, merge, s, problems)).ToArray();
        var consumer = new StreamConsumer(merge.PullGap > 0, scenario.BreakAfter, StreamConsumer.Names(world, null));
        world.OnAction = _ => consumer.Pull();
        int max = scenario.MaxConcurrency == 0 ? int.MaxValue : scenario.MaxConcurrency;
        var active = new StrongBox(max);
        foreach (WorldSource source in sources)
        {
            source.Bound = active;
        }

        world.BeforeCall();
        IAsyncEnumerable<int> sequence = scenario.Form switch
        {
            0 => Async.Merge(sources),
            1 => Async.Merge(sources, max, world.Token),
            _ => Async.Merge(sources, new ConcurrencyOptions { MaxConcurrency = max }, world.Token),
        };
        consumer.Start(sequence, () =>
            Driver.Require(sources.All(s => s.Enumerations == 0), () => "a source was enumerated before the first MoveNextAsync", merge));
        // Observed once the consumer has acted on each pull: the source whose item it took last is asked for its next one in
        // its next MoveNextAsync, and what follows there inline (that source's end letting other sources start, a failure
        // stopping the run) shows in no count the driver waits for, so it must not race the driver's next event.
        ColdDriver.Play(model, world, () =>
        {
            SpinWait.SpinUntil(() => consumer.Settled, ModelSettings.HangTimeout);
            return new Observation(world.StartedCount, consumer.Count, consumer.Ended);
        });

        string received = string.Join(",", consumer.Items.Select(v => v - 2000));
        string expected = string.Join(",", model.Order);
        Driver.Require(model.Loose || received == expected, () => $"received [{received}], the model [{expected}]", merge);
        lock (problems)
        {
            Driver.Require(problems.Count == 0, () => string.Join("; ", problems), merge);
        }

        Endings.Require(new ValueEnding(consumer.EndText), model.Accepted.Select(e => e is PendingEnding ? new ValueEnding("pending") : e).ToList(), merge);
        ColdDriver.RequireNothingLeft(world, consumer.Ended);
        if (consumer.Ended)
        {
            Driver.Require(sources.All(s => s.Disposals == s.Enumerations), () => "a source enumerated was not disposed once", merge);
            // Leaving the loop races with the ends of other sources, each of which lets the next source start: one source
            // more than the model may be enumerated.
            int enumerated = sources.Count(s => s.Enumerations > 0);
            int slack = consumer.EndText == "break" ? 1 : 0;
            Driver.Require(
                model.Loose || (enumerated >= model.Enumerated && enumerated <= model.Enumerated + slack),
                () => $"{sources.Count(s => s.Enumerations > 0)} source(s) enumerated, the model {model.Enumerated}",
                merge);
            Driver.Require(sources.All(s => s.Enumerations <= 1), () => "a source was enumerated twice", merge);
            if (leaks is not null && consumer.Enumerator is not null)
            {
                leaks.Track(consumer.Enumerator, merge.ToString(), world.Cts, world.Time);
            }
        }
    }

    /// <summary>The bound and the count of sources being enumerated, shared by the sources of one scenario.</summary>
    internal sealed class StrongBox
    {
        public StrongBox(int max) => Max = max;

        public int Max { get; }

        public int Active;
    }

    /// <summary>Source s of a scenario: each MoveNextAsync runs the next operation of the world with the enumeration's token.</summary>
    internal sealed class WorldSource : IAsyncEnumerable<int>
    {
        private readonly ColdWorld _world;
        private readonly MergeScenario _merge;
        private readonly int _source;
        private readonly List<string> _problems;
        private int _enumerations;
        private int _disposals;

        public WorldSource(ColdWorld world, MergeScenario merge, int source, List<string> problems)
        {
            _world = world;
            _merge = merge;
            _source = source;
            _problems = problems;
        }

        public StrongBox Bound { get; set; } = new(int.MaxValue);

        public int Enumerations => Volatile.Read(ref _enumerations);

        public int Disposals => Volatile.Read(ref _disposals);

        public IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _enumerations);
            if (Interlocked.Increment(ref Bound.Active) > Bound.Max)
            {
                Problem($"source {_source} enumerated with {Bound.Active - 1} others at a bound of {Bound.Max}");
            }

            return new Enumerator(this, cancellationToken);
        }

        private void Problem(string what)
        {
            lock (_problems)
            {
                _problems.Add(what);
            }
        }

        private sealed class Enumerator : IAsyncEnumerator<int>
        {
            private readonly WorldSource _owner;
            private readonly CancellationToken _token;
            private readonly int _first;
            private int _position;
            private bool _asking;
            private bool _disposed;

            public Enumerator(WorldSource owner, CancellationToken token)
            {
                _owner = owner;
                _token = token;
                _first = owner._merge.FirstOf(owner._source);
            }

            public int Current { get; private set; }

            public ValueTask<bool> MoveNextAsync()
            {
                if (_asking)
                {
                    _owner.Problem($"source {_owner._source} asked again before its MoveNextAsync completed");
                }

                if (_position == _owner._merge.Lengths[_owner._source])
                {
                    return new ValueTask<bool>(false);
                }

                int op = _first + _position++;
                Task<int> task;
                try
                {
                    task = _owner._world.Operations[op](_token);
                }
                catch (Exception e)
                {
                    return ValueTask.FromException<bool>(e);
                }

                if (task.IsCompletedSuccessfully)
                {
                    Current = task.Result;
                    return new ValueTask<bool>(true);
                }

                return new ValueTask<bool>(Await(task));
            }

            public ValueTask DisposeAsync()
            {
                if (_asking)
                {
                    _owner.Problem($"source {_owner._source} disposed during its MoveNextAsync");
                }

                if (!_disposed)
                {
                    _disposed = true;
                    Interlocked.Increment(ref _owner._disposals);
                    Interlocked.Decrement(ref _owner.Bound.Active);
                }

                return default;
            }

            private async Task<bool> Await(Task<int> task)
            {
                _asking = true;
                try
                {
                    Current = await task.ConfigureAwait(false);
                    return true;
                }
                finally
                {
                    _asking = false;
                }
            }
        }
    }
}
