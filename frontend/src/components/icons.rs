//! Lucide icons (inline SVG, no download) for modules and actions.

use icondata as i;

/// The sidebar icon of a module.
pub fn module_icon(module: &str) -> i::Icon {
    match module {
        "dashboard" => i::LuLayoutDashboard,
        "conversations" => i::LuMessagesSquare,
        "broadcasts" => i::LuMegaphone,
        "templates" => i::LuFileText,
        "quick_replies" => i::LuZap,
        "flows" => i::LuWorkflow,
        "media" => i::LuImage,
        "contacts" => i::LuBookUser,
        "notifications" => i::LuBell,
        "channels" => i::LuRadioTower,
        "users" => i::LuUsers,
        "roles" => i::LuShieldCheck,
        "settings" => i::LuSettings,
        "api" => i::LuCode,
        _ => i::LuLayoutGrid,
    }
}
