using AsyncCombinators.ModelTests.Infrastructure;
using CsCheck;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// Faults the contract does not give an outcome for: a TimeProvider whose CreateTimer, Change or Dispose throws, a
/// callback on the caller's token that throws, an input sequence whose MoveNext, Current or Dispose throws, and a
/// starved thread pool. Each call must still end, within the hang guard, with its documented result or an exception,
/// and every exception a combinator owns must be observed.
/// </summary>
public sealed class FaultInjectionTests
{
    private readonly ITestOutputHelper _output;

    public FaultInjectionTests(ITestOutputHelper output) => _output = output;

    /// <summary>Hot scenarios whose inputs all end, so every call must end.</summary>
    private static Gen<HotScenario> Ending(int forms) =>
        Scenarios.Hot(1, 12, timeout: true, token: true, forms: forms)
            .Select(s => s with { Sources = s.Sources.Select(x => x.Kind == InputKind.Never ? x with { Kind = InputKind.Value, Step = 1 } : x).ToArray() });

    [Fact]
    public void TimedCombinators_TimeProviderThrows_EndWithResultOrException() =>
        ModelProperty.Run(
            // CreateTimer, Change and Dispose: a timer whose Dispose throws must not end the process from the BCL's own
            // timer cleanup (Task.WaitAsync), nor keep a wait from ending.
            Gen.Select(Ending(5), Gen.Int[1, 3]),
            (input, _) => PlayTimed(input.Item1, (TimerFault)input.Item2),
            _output,
            0.3);

    [Fact]
    public void Combinators_TokenCallbackThrows_EndWithResultOrException() =>
        ModelProperty.Run(
            Ending(5).Select(s => s with { Token = new TokenPlan(TokenMode.At, 1, s.Token.Rank) }),
            (s, _) => PlayTimed(s, TimerFault.None, throwingCallback: true),
            _output,
            0.3);

    [Fact]
    public void Combinators_InputSequenceThrows_ThrowThatExceptionAtTheCallOrFromTheTask() =>
        ModelProperty.Run(
            Gen.Select(Gen.Int[0, 4], Gen.Int[0, 2], Gen.Int[0, 5]),
            (input, _) => PlayThrowingSequence(input.Item1, input.Item2, input.Item3),
            _output,
            0.1);

    [Fact]
    public void Combinators_ThreadPoolStarved_StillEnd()
    {
        ThreadPool.GetMinThreads(out int workers, out int ports);
        using var release = new ManualResetEventSlim();
        try
        {
            ThreadPool.SetMinThreads(1, 1);
            for (int i = 0; i < Environment.ProcessorCount * 2; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static r => ((ManualResetEventSlim)r!).Wait(ModelSettings.HangTimeout), release, preferLocal: false);
            }

            ModelProperty.OffContext(() =>
                Ending(5).Select(s => s with { AsyncContinuations = true }).Sample(
                    s => PlayTimed(s, TimerFault.None),
                    iter: 20,
                    threads: 1,
                    seed: ModelSettings.Seed,
                    print: s => s.ToString(),
                    writeLine: _output.WriteLine));
        }
        finally
        {
            release.Set();
            ThreadPool.SetMinThreads(workers, ports);
        }
    }

    /// <summary>Form: 0 Wait, 1 AsCompleted, 2 WaitFor (hot), 3 Gather (hot, token), 4 WaitFor over an operation.</summary>
    private static void PlayTimed(HotScenario scenario, TimerFault fault, bool throwingCallback = false)
    {
        var world = new HotWorld(scenario, "Fault", exceptionsMustBeObserved: scenario.Form == 3, fault);
        if (throwingCallback)
        {
            world.Token.Register(static () => throw new InvalidOperationException("a callback on the caller's token"));
        }

        world.BeforeCall();
        TimeSpan timeout = scenario.TimeoutSeconds is { } t ? TimeSpan.FromSeconds(t) : Timeout.InfiniteTimeSpan;
        Task call;
        try
        {
            call = scenario.Form switch
            {
                0 => Async.Wait(world.Inputs, ReturnWhen.AllCompleted, timeout, world.Time, world.Token),
                1 => Drain(Async.AsCompleted(world.Inputs, scenario.TimeoutSeconds is null ? null : timeout, world.Time, world.Token)),
                2 => Async.WaitFor(world.Inputs[0], timeout, world.Time, world.Token),
                3 => Async.Gather(world.Inputs, world.Token),
                _ => Async.WaitFor(_ => world.Inputs[0], timeout, world.Time, world.Token),
            };
        }
        catch (InvalidOperationException e) when (ReferenceEquals(e, world.Time.InjectedException))
        {
            // A clear exception at the call is one of the allowed ends.
            PlayAll(world);
            world.ObserveAll();
            return;
        }

        PlayAll(world);
        Hang.Settled(call, "the call under an injected fault");
        _ = call.Exception;
        if (scenario.Form != 3)
        {
            world.ObserveAll();
        }
    }

    private static void PlayAll(HotWorld world)
    {
        foreach (TimelineEvent e in world.Events)
        {
            try
            {
                world.Play(e);
            }
            catch (Exception ex) when (ex is AggregateException or InvalidOperationException)
            {
                // A throwing timer or token callback surfaces from Advance or Cancel; the call must still end.
            }
        }
    }

    private static async Task Drain(IAsyncEnumerable<Task<int>> sequence)
    {
        await foreach (Task<int> _ in sequence)
        {
        }
    }

    /// <summary>Combinator: 0 Gather, 1 GatherOutcomes, 2 Wait, 3 AsCompleted, 4 Gather over operations. Fault: 0 MoveNext, 1 Current, 2 Dispose.</summary>
    private static void PlayThrowingSequence(int combinator, int fault, int position)
    {
        var injected = new ScenarioException(false, $"sequence fault {fault} at {position} for combinator {combinator}");
        Task<int>[] tasks = Enumerable.Range(0, 6).Select(i => Task.FromResult(i)).ToArray();
        var sequence = new ThrowingSequence<Task<int>>(tasks, fault, position, injected);
        var operations = new ThrowingSequence<Func<CancellationToken, Task<int>>>(tasks.Select(t => (Func<CancellationToken, Task<int>>)(_ => t)).ToArray(), fault, position, injected);
        Task call;
        try
        {
            call = combinator switch
            {
                0 => Async.Gather(sequence),
                1 => Async.GatherOutcomes(sequence),
                2 => Async.Wait(sequence),
                3 => Drain(Async.AsCompleted(sequence)),
                _ => Async.Gather(operations, maxConcurrency: 2),
            };
        }
        catch (ScenarioException e) when (ReferenceEquals(e, injected))
        {
            return;
        }

        Hang.Settled(call, "the call over a throwing sequence");
        bool thrown = sequence.Threw || operations.Threw;
        Driver.Require(
            !thrown || (call.IsFaulted && call.Exception!.InnerExceptions.Contains(injected)),
            () => $"the sequence threw but the call ended {call.Status} with {call.Exception?.InnerException?.GetType().Name}",
            $"combinator {combinator} fault {fault} position {position}");
        _ = call.Exception;
    }

    /// <summary>A sequence whose MoveNext (fault 0), Current (1) or Dispose (2) throws at a position.</summary>
    private sealed class ThrowingSequence<T> : IEnumerable<T>
    {
        private readonly T[] _items;
        private readonly int _fault;
        private readonly int _position;
        private readonly Exception _exception;

        public ThrowingSequence(T[] items, int fault, int position, Exception exception)
        {
            _items = items;
            _fault = fault;
            _position = position;
            _exception = exception;
        }

        public bool Threw { get; private set; }

        public IEnumerator<T> GetEnumerator() => new Enumerator(this);

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private sealed class Enumerator : IEnumerator<T>
        {
            private readonly ThrowingSequence<T> _owner;
            private int _index = -1;

            public Enumerator(ThrowingSequence<T> owner) => _owner = owner;

            public T Current
            {
                get
                {
                    if (_owner._fault == 1 && _index == _owner._position)
                    {
                        _owner.Threw = true;
                        throw _owner._exception;
                    }

                    return _owner._items[_index];
                }
            }

            object? System.Collections.IEnumerator.Current => Current;

            public bool MoveNext()
            {
                if (_owner._fault == 0 && _index + 1 == _owner._position)
                {
                    _owner.Threw = true;
                    throw _owner._exception;
                }

                return ++_index < _owner._items.Length;
            }

            public void Reset() => throw new NotSupportedException();

            public void Dispose()
            {
                if (_owner._fault == 2)
                {
                    _owner.Threw = true;
                    throw _owner._exception;
                }
            }
        }
    }
}
