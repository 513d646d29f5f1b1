"""Double of ``omni.timeline``: ``get_timeline_interface()`` → the main timeline with
``play/pause/stop/is_playing/is_stopped/get_current_time/set_current_time/get_start_time/
get_end_time/get_time_codes_per_seconds/set_looping/is_looping/commit`` and
``get_timeline_event_stream()``; ``TimelineEventType`` with Kit's members and values.

As in Kit, requested changes are applied at the next update (or at once by ``commit()``),
and then their events go out: ``PLAY``, ``PAUSE``, ``STOP`` (the time returns to the start),
``CURRENT_TIME_CHANGED`` (payload ``currentTime``). While playing, each update advances the
time by its ``dt`` and sends ``CURRENT_TIME_TICKED`` (payload ``currentTime`` and ``dt``);
past the end the time loops to the start when looping is on (Kit's default). Times are in
seconds; a stage opened in the USD context sets the range and time codes per second.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import carb.events


class TimelineEventType(IntEnum):
    PLAY = 0
    PAUSE = 1
    STOP = 2
    CURRENT_TIME_CHANGED = 3
    CURRENT_TIME_TICKED_PERMANENT = 4
    CURRENT_TIME_TICKED = 5
    LOOP_MODE_CHANGED = 6
    START_TIME_CHANGED = 7
    END_TIME_CHANGED = 8
    TIME_CODE_PER_SECOND_CHANGED = 9


class Timeline:
    def __init__(self) -> None:
        self._events = carb.events.IEventStream()
        self._time = 0.0
        self._start = 0.0
        self._end = 0.0
        self._tcps = 24.0
        self._playing = False
        self._stopped = True
        self._looping = True
        self._requests: list[tuple[str, Any]] = []

    # -- requests (applied at the next update, or by commit) --------------------------------

    def play(self, start_timecode: float = 0, end_timecode: float = -1, looping: bool = True):
        self._requests.append(("play", None))

    def pause(self) -> None:
        self._requests.append(("pause", None))

    def stop(self) -> None:
        self._requests.append(("stop", None))

    def set_current_time(self, time_in_seconds: float) -> None:
        self._requests.append(("time", float(time_in_seconds)))

    def commit(self) -> None:
        requests, self._requests = self._requests, []
        for kind, value in requests:
            if kind == "play" and not self._playing:
                self._playing, self._stopped = True, False
                self._send(TimelineEventType.PLAY)
            elif kind == "pause" and self._playing:
                self._playing = False
                self._send(TimelineEventType.PAUSE)
            elif kind == "stop" and not self._stopped:
                self._playing, self._stopped = False, True
                self._time = self._start
                self._send(TimelineEventType.STOP)
            elif kind == "time":
                self._time = value
                self._send(TimelineEventType.CURRENT_TIME_CHANGED, currentTime=value)

    # -- queries ------------------------------------------------------------------------------

    def is_playing(self) -> bool:
        return self._playing

    def is_stopped(self) -> bool:
        return self._stopped

    def get_current_time(self) -> float:
        return self._time

    def get_start_time(self) -> float:
        return self._start

    def get_end_time(self) -> float:
        return self._end

    def get_time_codes_per_seconds(self) -> float:
        return self._tcps

    def set_play_every_frame(self, play_every_frame: bool) -> None:
        """Kit: advance one frame per update instead of by wall-clock time. The double always
        advances by the update's ``dt``, which its tests set to one frame."""
        self._play_every_frame = play_every_frame

    def set_target_framerate(self, target_framerate: float) -> None:
        self._target_framerate = target_framerate

    def set_looping(self, looping: bool) -> None:
        self._looping = looping

    def is_looping(self) -> bool:
        return self._looping

    def get_timeline_event_stream(self) -> carb.events.IEventStream:
        return self._events

    # -- the double's update ------------------------------------------------------------------

    def _tick(self, dt: float) -> None:
        if not self._playing:
            return
        self._time += dt
        if self._looping and self._end > self._start and self._time > self._end + 1e-9:
            self._time = self._start
        self._send(TimelineEventType.CURRENT_TIME_TICKED, currentTime=self._time, dt=dt)

    def _send(self, kind: TimelineEventType, **payload: Any) -> None:
        self._events.dispatch(int(kind), 0, payload)


_timeline = Timeline()


def get_timeline_interface() -> Timeline:
    return _timeline


def _refresh_and_tick(dt: float) -> None:
    _timeline.commit()
    _timeline._tick(dt)


def _follow_stage(stage: Any) -> None:
    tcps = stage.GetTimeCodesPerSecond() or 24.0
    _timeline._tcps = tcps
    _timeline._start = stage.GetStartTimeCode() / tcps
    _timeline._end = stage.GetEndTimeCode() / tcps
    _timeline._time = _timeline._start
    _timeline._playing, _timeline._stopped = False, True


def _reset() -> None:
    global _timeline
    _timeline = Timeline()
