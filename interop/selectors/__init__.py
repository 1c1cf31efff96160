from interop.selectors.home import export_home_panel

__all__ = ["export_home_panel"]
