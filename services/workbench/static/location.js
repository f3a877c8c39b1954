// 附上位置: fills a report's hidden lat/lon/accuracy_m from the browser's geolocation when the person ticks the
// box and allows it. Without it (refused, no signal, no script) the report goes without a location.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[data-locate]")) return;
  var form = box.form;
  var status = form.querySelector("[data-locate-status]");
  function fill(lat, lon, accuracy) {
    form.elements.lat.value = lat;
    form.elements.lon.value = lon;
    form.elements.accuracy_m.value = accuracy;
  }
  fill("", "", "");
  if (!box.checked) {
    status.textContent = "";
    return;
  }
  if (!navigator.geolocation) {
    box.checked = false;
    status.textContent = "此浏览器不能提供位置";
    return;
  }
  status.textContent = "正在获取位置…";
  navigator.geolocation.getCurrentPosition(
    function (position) {
      var c = position.coords;
      fill(c.latitude, c.longitude, Math.round(c.accuracy));
      status.textContent = "已获取位置：纬度 " + c.latitude.toFixed(5) + "，经度 " + c.longitude.toFixed(5);
    },
    function () {
      box.checked = false;
      status.textContent = "未能获取位置（未允许或没有信号）";
    },
    { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
  );
});
