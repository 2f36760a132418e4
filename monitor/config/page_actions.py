"""Browser page actions a watch with `render: browser` may run before the page is read.

One action per list entry, each a one-key mapping (plus its own options):

    actions:
      - click: "button.accept-cookies"
      - fill: "input[name=q]"
        value: "usb hub"
        submit: true            # press Enter in the field afterwards
      - wait_for: ".results"
      - scroll: 3               # to the bottom, three times, waiting for new content each time
      - wait: 2s

They run in order after the page loaded (and after the watch's `wait_for`, if any).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from monitor.config.durations import Duration
from monitor.config.selectors import check_browser_css

ACTION_KEYS = ("click", "fill", "wait_for", "scroll", "wait")


class PageAction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    click: str | None = Field(default=None, description="CSS selector to click (skipped when absent)")
    fill: str | None = Field(default=None, description="CSS selector of a field to type `value` into")
    value: str | None = Field(default=None, description="with fill: the text to type")
    submit: bool = Field(default=False, description="with fill: press Enter afterwards")
    wait_for: str | None = Field(default=None, description="CSS selector to wait for")
    scroll: int | None = Field(default=None, ge=1, le=200, description="scroll to the bottom N times")
    wait: Duration | None = Field(default=None, description="pause: 2s, or seconds (0.5)")

    @model_validator(mode="after")
    def _one_action(self) -> PageAction:
        given = [k for k in ACTION_KEYS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"each action needs exactly one of {', '.join(ACTION_KEYS)} (got {given or 'none'})"
            )
        if self.fill is not None and self.value is None:
            raise ValueError("a fill action needs a value")
        if self.fill is None and (self.value is not None or self.submit):
            raise ValueError("value and submit belong to a fill action")
        return self

    @field_validator("click", "fill", "wait_for")
    @classmethod
    def _browser_css(cls, selector: str | None) -> str | None:
        # A typo fails `check` at its own line, not a page at 3 a.m.; Chromium runs it, so its CSS.
        return check_browser_css(selector) if selector is not None else None

    @field_validator("wait")
    @classmethod
    def _short_wait(cls, seconds: float | None) -> float | None:
        if seconds is not None and seconds > 60:
            raise ValueError("a wait action may pause at most 60s")
        return seconds

    def as_option(self) -> dict:
        """The action as stored in the watch's options (JSON) and handed to the browser."""
        return self.model_dump(exclude_none=True, exclude_defaults=True)
